using ConnectEvents.ConnectApi;
using ConnectEvents.Idempotence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectEvents.CrashHarness;

/// <summary>The names of the crash points, as printed in <c>crash &lt;point&gt; &lt;delivery&gt;</c> lines.</summary>
internal static class CrashPoint
{
    /// <summary>Before the event id is claimed in the processed-event store.</summary>
    public const string BeforeClaim = "before-claim";

    /// <summary>After Connect answered the GET of the payment.</summary>
    public const string AfterGet = "after-get";

    /// <summary>After Connect answered the capture, before the processor sees the answer.</summary>
    public const string DuringCapture = "during-capture";

    /// <summary>Before Completed or Failed is written.</summary>
    public const string BeforeOutcome = "before-outcome";
}

/// <summary>Registers the crash points as decorators of the services the function app registered (product code is untouched).</summary>
internal static class CrashPointServiceCollectionExtensions
{
    /// <summary>Adds the <c>Crash</c> settings and wraps <see cref="IConnectClient"/> and <see cref="IProcessedEventStore"/>.</summary>
    /// <exception cref="InvalidOperationException">Either service was not registered before.</exception>
    public static IServiceCollection AddCrashPoints(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HarnessOptions>()
            .Bind(configuration.GetSection(HarnessOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<CrashSwitch>();
        Decorate<IConnectClient>(services, (sp, inner) => new CrashingConnectClient(inner, sp.GetRequiredService<CrashSwitch>()));
        Decorate<IProcessedEventStore>(services, (sp, inner) => new CrashingProcessedEventStore(inner, sp.GetRequiredService<CrashSwitch>()));
        return services;
    }

    // Replaces the last registration of T by one that builds the original the same way and wraps it, same lifetime.
    private static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> wrap)
        where T : class
    {
        var original = services.LastOrDefault(d => d.ServiceType == typeof(T) && !d.IsKeyedService)
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered; AddConnectEventsFunctions must come first.");
        services.Remove(original);
        services.Add(ServiceDescriptor.Describe(typeof(T), sp => wrap(sp, Create<T>(sp, original)), original.Lifetime));
    }

    private static T Create<T>(IServiceProvider sp, ServiceDescriptor original)
        where T : class =>
        (T)(original.ImplementationInstance
            ?? original.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, original.ImplementationType!));
}
