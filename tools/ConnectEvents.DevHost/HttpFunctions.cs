using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;

namespace ConnectEvents.DevHost;

/// <summary>One HTTP-triggered function of the app, as its attributes declare it.</summary>
/// <param name="Name">The function name (<c>[Function]</c>).</param>
/// <param name="Route">The route without the prefix (<c>[HttpTrigger(Route = …)]</c>).</param>
/// <param name="Methods">The HTTP methods, upper case.</param>
/// <param name="AuthLevel">The key the host would ask for.</param>
/// <param name="Method">The function method.</param>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods, AuthorizationLevel AuthLevel, MethodInfo Method);

/// <summary>
/// Finds the app's HTTP-triggered functions from their attributes and maps each on the host's route
/// (<c>/{routePrefix}/{route}</c>), invoking a new instance of the function class per request as the worker does.
/// </summary>
public static class HttpFunctions
{
    /// <summary>Every <c>[Function]</c> method of the function app whose trigger is <c>[HttpTrigger]</c>.</summary>
    public static IReadOnlyList<HttpFunction> Discover() =>
        [.. AppFunctions.WithTrigger<HttpTriggerAttribute>().Select(f => new HttpFunction(
            f.Function.Name, f.Trigger.Route ?? f.Function.Name, (f.Trigger.Methods ?? ["get", "post"]).Select(m => m.ToUpperInvariant()).ToArray(), f.Trigger.AuthLevel, f.Method))];

    /// <summary>Maps every function of <see cref="Discover"/> under <paramref name="routePrefix"/>, behind its authorization level.</summary>
    public static IEndpointRouteBuilder MapHttpFunctions(this IEndpointRouteBuilder app, string routePrefix)
    {
        ArgumentNullException.ThrowIfNull(app);
        foreach (var function in Discover())
        {
            var invoke = Binder(function);
            var pattern = "/" + string.Join('/', new[] { routePrefix.Trim('/'), function.Route.Trim('/') }.Where(s => s.Length > 0));
            app.MapMethods(pattern, function.Methods, (RequestDelegate)(context => invoke(context)))
                .WithName(function.Name)
                .WithMetadata(function);
        }

        return app;
    }

    /// <summary>
    /// Builds the invocation of one function: its parameters are bound as the worker binds them (the trigger's
    /// HttpRequest, route values by name, the invocation's CancellationToken); a parameter it cannot bind stops the start.
    /// </summary>
    private static Func<HttpContext, Task> Binder(HttpFunction function)
    {
        var parameters = function.Method.GetParameters();
        var sources = new Func<HttpContext, object?>[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            var name = parameter.Name!;
            sources[i] = parameter.ParameterType switch
            {
                var t when t == typeof(HttpRequest) => context => context.Request,
                var t when t == typeof(CancellationToken) => context => context.RequestAborted,
                var t when t == typeof(string) && function.Route.Contains('{' + name, StringComparison.Ordinal) =>
                    context => context.Request.RouteValues.TryGetValue(name, out var value) ? value?.ToString() : null,
                _ => throw new InvalidOperationException(
                    $"The dev host cannot bind parameter '{name}' ({parameter.ParameterType.Name}) of function {function.Name}."),
            };
        }

        return async context =>
        {
            if (!FunctionKeys.IsAuthorized(context, function.AuthLevel))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            var target = ActivatorUtilities.CreateInstance(context.RequestServices, function.Method.DeclaringType!);
            var arguments = new object?[sources.Length];
            for (var i = 0; i < sources.Length; i++)
            {
                arguments[i] = sources[i](context);
            }

            var returned = function.Method.Invoke(target, arguments);
            var result = returned switch
            {
                Task<IActionResult> task => await task.ConfigureAwait(false),
                IActionResult direct => direct,
                _ => throw new InvalidOperationException($"Function {function.Name} returned {returned?.GetType().Name ?? "null"}, not an IActionResult."),
            };
            await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor())).ConfigureAwait(false);
        };
    }
}
