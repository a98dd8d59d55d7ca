using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Hosting;

/// <summary>Registers the one process-wide <see cref="RequestBodyBudget"/>.</summary>
public static class RequestBodyBudgetServiceCollectionExtensions
{
    /// <summary>Adds <see cref="RequestBodyOptions"/> (section <c>RequestBodies</c>, validated at start-up) and the budget sized from the GC's heap limit.</summary>
    public static IServiceCollection AddRequestBodyBudget(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<RequestBodyOptions>(configuration, RequestBodyOptions.SectionName);
        // The GC's limit: DOTNET_GCHeapHardLimit (or its percentage) when set, else the container's or the machine's memory.
        services.TryAddSingleton(sp => RequestBodyBudget.From(
            sp.GetRequiredService<IOptions<RequestBodyOptions>>().Value, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes));
        return services;
    }
}
