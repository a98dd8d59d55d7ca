using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectEvents;

/// <summary>The one way settings are registered: bound from their section, checked by their data annotations at start-up.</summary>
internal static class OptionsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to <paramref name="sectionName"/> (when given) and checks it when the host starts with its data
    /// annotations (cross-field rules in <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/>), so every
    /// invalid setting is reported together at start-up, naming the setting, instead of failing the first request.
    /// </summary>
    /// <remarks>Registering the same options again (several capabilities share storage) adds nothing, so each failure is reported once.</remarks>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string? sectionName)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddOptions<T>();
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<T>) && d.ImplementationInstance is DataAnnotationValidateOptions<T>))
        {
            return builder;
        }

        if (sectionName is not null)
        {
            builder.Bind(configuration.GetSection(sectionName));
        }

        return builder.ValidateDataAnnotations().ValidateOnStart();
    }
}
