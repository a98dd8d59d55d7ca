using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>
/// The ARM template functions the checker evaluates: only those infra/main.bicep compiles to where the queue and role
/// checks read. Any other function is an <see cref="ArmEvaluationException"/> naming it, never a skipped value: add it
/// here, with ARM's semantics, when the template starts using it.
/// </summary>
public static class ArmFunctions
{
    /// <summary>The functions this class evaluates, for messages and for the test that keeps the list honest.</summary>
    public static IReadOnlySet<string> Known { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "parameters", "variables", "format", "concat", "if", "equals", "empty", "not", "and", "or", "string", "toLower",
        "length", "createArray", "createObject", "true", "false", "copyIndex", "lambda", "lambdaVariables", "map", "flatten",
        "uniqueString", "subscription", "resourceId", "subscriptionResourceId", "reference", "add", "mul", "div", "min", "max",
    };

    /// <summary>Evaluates a function call.</summary>
    /// <exception cref="ArmEvaluationException">The function is not one the checker knows, or its arguments do not fit it.</exception>
    public static object? Invoke(ArmExpression.FunctionCall call, ArmTemplate template, ArmFrame frame)
    {
        var name = call.Name;
        if (!Known.Contains(name))
        {
            throw new ArmEvaluationException($"The template function '{name}' is not one the checker evaluates (it knows {string.Join(", ", Known.Order(StringComparer.Ordinal))})");
        }

        // if() and lambda() must not evaluate every argument: the branch not taken, or the body before it has its variable.
        if (name.Equals("if", StringComparison.OrdinalIgnoreCase))
        {
            Count(call, 3);
            return Bool(template.Evaluate(call.Arguments[0], frame), "if's condition")
                ? template.Evaluate(call.Arguments[1], frame)
                : template.Evaluate(call.Arguments[2], frame);
        }

        if (name.Equals("lambda", StringComparison.OrdinalIgnoreCase))
        {
            if (call.Arguments.Count < 2)
            {
                throw new ArmEvaluationException("lambda() needs its variable names and a body.");
            }

            var names = call.Arguments.SkipLast(1).Select(a => ArmTemplate.Text(template.Evaluate(a, frame), "lambda variable name")).ToList();
            return new Lambda(names, call.Arguments[^1], template);
        }

        var args = call.Arguments.Select(a => template.Evaluate(a, frame)).ToList();
        switch (name.ToUpperInvariant())
        {
            case "PARAMETERS":
                return template.Parameter(Arg<string>(args, 0, 1, name));
            case "VARIABLES":
                return template.Variable(Arg<string>(args, 0, 1, name));
            case "FORMAT":
                return Format(Arg<string>(args, 0, -1, name), args.Skip(1).ToList());
            case "CONCAT":
                return Concat(args);
            case "EQUALS":
                Count(call, 2);
                return Same(args[0], args[1]);
            case "EMPTY":
                Count(call, 1);
                return args[0] switch
                {
                    null => true,
                    string s => s.Length == 0,
                    IReadOnlyList<object?> list => list.Count == 0,
                    ArmObject o => o.Names.Count == 0,
                    var other => throw new ArmEvaluationException($"empty() cannot decide on {Describe(other)}"),
                };
            case "NOT":
                Count(call, 1);
                return !Bool(args[0], "not's argument");
            case "AND":
                return args.Count >= 2 ? args.Select(a => Bool(a, "and's argument")).Aggregate((a, b) => a && b) : throw new ArmEvaluationException("and() needs two arguments or more");
            case "OR":
                return args.Count >= 2 ? args.Select(a => Bool(a, "or's argument")).Aggregate((a, b) => a || b) : throw new ArmEvaluationException("or() needs two arguments or more");
            case "STRING":
                Count(call, 1);
                return Scalar(args[0], "string()");
            case "TOLOWER":
                return Arg<string>(args, 0, 1, name).ToLowerInvariant();
            case "LENGTH":
                Count(call, 1);
                return args[0] switch
                {
                    string s => (long)s.Length,
                    IReadOnlyList<object?> list => (long)list.Count,
                    ArmObject o => (long)o.Names.Count,
                    var other => throw new ArmEvaluationException($"length() cannot measure {Describe(other)}"),
                };
            case "CREATEARRAY":
                return args;
            case "CREATEOBJECT":
                if (args.Count % 2 != 0)
                {
                    throw new ArmEvaluationException("createObject() needs name and value pairs");
                }

                return ObjectOf(Enumerable.Range(0, args.Count / 2).Select(i => (ArmTemplate.Text(args[2 * i], "createObject() name"), args[(2 * i) + 1])));
            case "TRUE":
                Count(call, 0);
                return true;
            case "FALSE":
                Count(call, 0);
                return false;
            case "COPYINDEX":
                return CopyIndex(args, frame);
            case "LAMBDAVARIABLES":
                var variable = Arg<string>(args, 0, 1, name);
                return frame.LambdaVariables.TryGetValue(variable, out var bound) ? bound : throw new ArmEvaluationException($"No lambda variable '{variable}' is in scope");
            case "MAP":
                Count(call, 2);
                var source = args[0] as IReadOnlyList<object?> ?? throw new ArmEvaluationException($"map() needs an array, not {Describe(args[0])}");
                var lambda = args[1] as Lambda ?? throw new ArmEvaluationException($"map() needs a lambda, not {Describe(args[1])}");
                return source.Select((item, i) => lambda.Apply(frame, item, i)).ToList();
            case "FLATTEN":
                Count(call, 1);
                var arrays = args[0] as IReadOnlyList<object?> ?? throw new ArmEvaluationException($"flatten() needs an array, not {Describe(args[0])}");
                return arrays.SelectMany(a => a as IReadOnlyList<object?> ?? throw new ArmEvaluationException($"flatten() needs an array of arrays, not one holding {Describe(a)}")).ToList();
            case "UNIQUESTRING":
                return UniqueString(args.Select(a => ArmTemplate.Text(a, "uniqueString() argument")));
            case "SUBSCRIPTION":
                Count(call, 0);
                return ObjectOf([("id", $"/subscriptions/{template.Scope.SubscriptionId}"), ("subscriptionId", template.Scope.SubscriptionId)]);
            case "RESOURCEID":
                return ResourceId(template.Scope, args.Select(a => ArmTemplate.Text(a, "resourceId() argument")).ToList());
            case "SUBSCRIPTIONRESOURCEID":
                var parts = args.Select(a => ArmTemplate.Text(a, "subscriptionResourceId() argument")).ToList();
                return parts.Count >= 2 && parts[0].Contains('/', StringComparison.Ordinal)
                    ? template.Scope.SubscriptionResourceId(parts[0], parts[1..])
                    : throw new ArmEvaluationException("subscriptionResourceId() is evaluated only as (type, names...) in the deployment's own subscription");
            case "REFERENCE":
                return Reference(args, template);
            case "ADD":
                return checked(Arg<long>(args, 0, 2, name) + Arg<long>(args, 1, 2, name));
            case "MUL":
                return checked(Arg<long>(args, 0, 2, name) * Arg<long>(args, 1, 2, name));
            case "DIV":
                // ARM's div() is integer division; a zero divisor fails the deployment, so it fails the evaluation too.
                return Arg<long>(args, 1, 2, name) is var divisor && divisor != 0
                    ? Arg<long>(args, 0, 2, name) / divisor
                    : throw new ArmEvaluationException("div() by zero fails the deployment");
            case "MIN":
                return Integers(args, name).Min();
            case "MAX":
                return Integers(args, name).Max();
            default:
                throw new ArmEvaluationException($"The template function '{name}' is listed as known but has no evaluation");
        }
    }

    /// <summary>A property of a value (<c>x.name</c>).</summary>
    /// <exception cref="ArmEvaluationException">The value has no properties, or not this one.</exception>
    public static object? Property(object? value, string name) => value switch
    {
        ArmObject o => o.Get(name),
        DeploymentTimeValue d => d.Property(name),
        _ => throw new ArmEvaluationException($"Cannot read the property '{name}' of {Describe(value)}"),
    };

    /// <summary>An element of an array or a property of an object (<c>x[key]</c>).</summary>
    /// <exception cref="ArmEvaluationException">The value cannot be indexed with this key.</exception>
    public static object? Element(object? value, object? key) => (value, key) switch
    {
        (IReadOnlyList<object?> list, long i) when i >= 0 && i < list.Count => list[(int)i],
        (IReadOnlyList<object?> list, long i) => throw new ArmEvaluationException($"The index {i} is outside the array of {list.Count}"),
        (ArmObject o, string name) => o.Get(name),
        (DeploymentTimeValue d, string name) => d.Property(name),
        _ => throw new ArmEvaluationException($"Cannot index {Describe(value)} with {Describe(key)}"),
    };

    /// <summary>An object with the given, already known, property values.</summary>
    public static ArmObject ObjectOf(IEnumerable<(string Name, object? Value)> properties)
    {
        var result = new ArmObject();
        foreach (var (name, value) in properties)
        {
            result.Add(name, () => value);
        }

        return result;
    }

    /// <summary>A value as a failure message shows it.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        IReadOnlyList<object?> list => $"an array of {list.Count}",
        ArmObject o => $"an object with {string.Join(", ", o.Names)}",
        DeploymentTimeValue d => $"{d}, which only the deployment knows",
        Lambda => "a lambda",
        _ => value.GetType().Name,
    };

    /// <summary>
    /// A stand-in for ARM's <c>uniqueString</c>: deterministic in its arguments and 13 lower-case characters like the
    /// real one, but not Azure's hash. The checks compare names with each other, never with names in Azure.
    /// </summary>
    public static string UniqueString(IEnumerable<string> parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u0001', parts)));
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var value = BitConverter.ToUInt64(hash, 0);
        var text = new StringBuilder(13);
        for (var i = 0; i < 13; i++)
        {
            text.Append(Alphabet[(int)(value & 31)]);
            value >>= 5;
        }

        return text.ToString();
    }

    private static object? Reference(List<object?> args, ArmTemplate template)
    {
        if (args.Count is < 1 or > 2)
        {
            throw new ArmEvaluationException("reference() is evaluated only as (resource[, apiVersion]); 'Full' state is not");
        }

        var target = ArmTemplate.Text(args[0], "reference() target");
        if (template.Symbolic(target) is { } resource)
        {
            if (resource.Declared("copy") is not null)
            {
                throw new ArmEvaluationException($"reference('{target}') names a copy loop; the checker does not evaluate it");
            }

            var type = ArmTemplate.Text(template.Evaluate(resource.Json.GetProperty("type"), ArmFrame.Root), "type");
            if (!type.Equals(ArmDeployment.DeploymentType, StringComparison.OrdinalIgnoreCase))
            {
                return new DeploymentTimeValue(template.ResourceId(resource, ArmFrame.Root), "");
            }

            // A module's state, as far as the checker knows it: its outputs, each computed when read.
            var module = template.Module(resource, ArmFrame.Root);
            var outputs = new ArmObject();
            foreach (var output in module.OutputNames)
            {
                outputs.Add(output, () => ObjectOf([("value", module.Output(output))]));
            }

            return ObjectOf([("outputs", outputs)]);
        }

        if (target.StartsWith('/') && !target.Contains("/providers/" + ArmDeployment.DeploymentType + "/", StringComparison.OrdinalIgnoreCase))
        {
            return new DeploymentTimeValue(target, "");
        }

        throw new ArmEvaluationException($"reference('{target}') names neither a symbolic resource of this template nor a resource id the checker can follow");
    }

    private static string ResourceId(ArmScope scope, List<string> args)
    {
        var typeAt = args.FindIndex(a => a.Contains('/', StringComparison.Ordinal));
        if (typeAt < 0 || typeAt > 2 || typeAt == args.Count - 1)
        {
            throw new ArmEvaluationException($"resourceId({string.Join(", ", args)}) has no type followed by names");
        }

        var at = typeAt switch
        {
            0 => scope,
            1 => scope with { ResourceGroup = args[0] },
            _ => new ArmScope(args[0], args[1]),
        };
        return at.ResourceId(args[typeAt], args[(typeAt + 1)..]);
    }

    private static long CopyIndex(List<object?> args, ArmFrame frame)
    {
        var loop = args.Count > 0 && args[0] is string s ? s : null;
        var offsetArgs = args.Skip(loop is null ? 0 : 1).ToList();
        if (offsetArgs.Count > 1 || (offsetArgs.Count == 1 && offsetArgs[0] is not long))
        {
            throw new ArmEvaluationException("copyIndex() takes an optional loop name and an optional integer offset");
        }

        if (frame.CopyName is null)
        {
            throw new ArmEvaluationException("copyIndex() is used outside a copy loop");
        }

        if (loop is not null && !loop.Equals(frame.CopyName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArmEvaluationException($"copyIndex('{loop}') names another loop than the current one ('{frame.CopyName}'), which the checker does not track");
        }

        return frame.CopyIndex + (offsetArgs.Count == 1 ? (long)offsetArgs[0]! : 0);
    }

    private static string Format(string pattern, List<object?> args)
    {
        var result = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if ((c == '{' || c == '}') && i + 1 < pattern.Length && pattern[i + 1] == c)
            {
                result.Append(c);
                i++;
            }
            else if (c == '{')
            {
                var close = pattern.IndexOf('}', i);
                if (close < 0 || !int.TryParse(pattern.AsSpan(i + 1, close - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    throw new ArmEvaluationException($"format('{pattern}') has a placeholder other than {{n}}, which the checker does not evaluate");
                }

                if (index >= args.Count)
                {
                    throw new ArmEvaluationException($"format('{pattern}') refers to argument {index} of {args.Count}");
                }

                result.Append(Scalar(args[index], "format()"));
                i = close;
            }
            else if (c == '}')
            {
                throw new ArmEvaluationException($"format('{pattern}') has an unmatched '}}'");
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    private static object Concat(List<object?> args)
    {
        if (args.Count > 0 && args.All(a => a is IReadOnlyList<object?>))
        {
            return args.SelectMany(a => (IReadOnlyList<object?>)a!).ToList();
        }

        return string.Concat(args.Select(a => Scalar(a, "concat()")));
    }

    /// <summary>A string, integer or boolean as ARM writes it in text (booleans as True and False).</summary>
    private static string Scalar(object? value, string where) => value switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "True" : "False",
        _ => throw new ArmEvaluationException($"{where} is given {Describe(value)}, which the checker does not turn into text"),
    };

    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (DeploymentTimeValue, _) or (_, DeploymentTimeValue) => throw new ArmEvaluationException($"equals() cannot decide on {Describe(a)} and {Describe(b)}"),
        (null, null) => true,
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (long x, long y) => x == y,
        (bool x, bool y) => x == y,
        (IReadOnlyList<object?> x, IReadOnlyList<object?> y) => x.Count == y.Count && x.Zip(y).All(p => Same(p.First, p.Second)),
        (ArmObject x, ArmObject y) => x.Names.Count == y.Names.Count && x.Names.All(n => y.Has(n) && Same(x.Get(n), y.Get(n))),
        _ => false,
    };

    private static bool Bool(object? value, string what) =>
        value as bool? ?? throw new ArmEvaluationException($"{what} is {Describe(value)}, not a boolean");

    private static T Arg<T>(List<object?> args, int index, int count, string function)
    {
        if (count >= 0 && args.Count != count)
        {
            throw new ArmEvaluationException($"{function}() takes {count} argument(s), not {args.Count}");
        }

        return index < args.Count && args[index] is T value
            ? value
            : throw new ArmEvaluationException($"{function}()'s argument {index + 1} is {(index < args.Count ? Describe(args[index]) : "missing")}, not a {typeof(T).Name}");
    }

    private static List<long> Integers(List<object?> args, string function) =>
        args.Count > 0 && args.All(a => a is long)
            ? args.Cast<long>().ToList()
            : throw new ArmEvaluationException($"{function}() is evaluated only on integers, not on {string.Join(", ", args.Select(Describe))}");

    private static void Count(ArmExpression.FunctionCall call, int count)
    {
        if (call.Arguments.Count != count)
        {
            throw new ArmEvaluationException($"{call.Name}() takes {count} argument(s), not {call.Arguments.Count}");
        }
    }

    /// <summary>A lambda's variables and body, applied by map() in the template it was written in.</summary>
    private sealed record Lambda(IReadOnlyList<string> Names, ArmExpression Body, ArmTemplate Template)
    {
        public object? Apply(ArmFrame frame, object? item, int index)
        {
            if (Names.Count > 2)
            {
                throw new ArmEvaluationException($"A lambda of {Names.Count} variables is not one map() calls");
            }

            var inner = frame.WithLambdaVariable(Names[0], item);
            if (Names.Count == 2)
            {
                inner = inner.WithLambdaVariable(Names[1], (long)index);
            }

            return Template.Evaluate(Body, inner);
        }
    }
}
