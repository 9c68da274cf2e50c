using System.Collections.Frozen;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Hosting;

public enum TriggerKind
{
    Http,
    Queue,
    Timer,
}

public sealed record HttpTriggerInfo(string Route, IReadOnlyList<string> Methods, string AuthLevel);

public sealed record QueueTriggerInfo(string QueueName, string? Connection, ParameterInfo Parameter);

public sealed record TimerTriggerInfo(string Schedule, bool RunOnStartup, bool UseMonitor, ParameterInfo Parameter);

/// <summary>One function as its <c>[Function]</c> attribute and trigger attribute declare it.</summary>
public sealed record FunctionDescriptor(
    string Name,
    MethodInfo Method,
    TriggerKind Trigger,
    HttpTriggerInfo? Http,
    QueueTriggerInfo? Queue,
    TimerTriggerInfo? Timer,
    EndpointPolicy Policy)
{
    /// <summary>As in <c>functions.metadata</c>: <c>Namespace.Class.Method</c>.</summary>
    public string EntryPoint => $"{Method.DeclaringType!.FullName}.{Method.Name}";

    public string TriggerType => Trigger switch
    {
        TriggerKind.Http => "httpTrigger",
        TriggerKind.Queue => "queueTrigger",
        _ => "timerTrigger",
    };
}

/// <summary>
/// Every function found by reflection on the <c>[Function]</c> attributes: the single source of the
/// wiring both hosts use, so adding a function never needs a host change.
/// </summary>
public sealed class FunctionCatalog
{
    private readonly FrozenDictionary<string, FunctionDescriptor> _byName;

    public FunctionCatalog(IEnumerable<FunctionDescriptor> functions)
    {
        All = [.. functions.OrderBy(f => f.Name, StringComparer.Ordinal)];
        _byName = All.ToFrozenDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<FunctionDescriptor> All { get; }

    public FunctionDescriptor? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The functions of this app (the Functions assembly).</summary>
    public static FunctionCatalog ForApp() => Discover([typeof(FunctionCatalog).Assembly]);

    public static FunctionCatalog Discover(IEnumerable<Assembly> assemblies)
    {
        var found = new List<FunctionDescriptor>();
        foreach (var type in assemblies.Distinct().SelectMany(a => a.GetTypes()))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is { } function)
                {
                    found.Add(Describe(function.Name, method));
                }
            }
        }

        var duplicate = found.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two functions are named '{duplicate.Key}'.");
        }

        return new FunctionCatalog(found);
    }

    private static FunctionDescriptor Describe(string name, MethodInfo method)
    {
        var policy = new EndpointPolicy(
            method.GetCustomAttribute<PublicEndpointAttribute>() is not null,
            method.GetCustomAttribute<AllowRolesAttribute>()?.Roles ?? [],
            method.GetCustomAttribute<MaxRequestBodyAttribute>()?.Bytes ?? EndpointPolicy.DefaultMaxBodyBytes,
            method.GetCustomAttribute<SideEffectFreeAttribute>() is not null,
            method.GetCustomAttribute<StreamedBodyAttribute>() is not null,
            method.GetCustomAttribute<RedactOnReplayAttribute>()?.Properties);

        foreach (var parameter in method.GetParameters())
        {
            if (parameter.GetCustomAttribute<HttpTriggerAttribute>() is { } http)
            {
                var methods = (http.Methods ?? []).Select(m => m.ToLowerInvariant()).ToArray();
                return new FunctionDescriptor(name, method, TriggerKind.Http,
                    new HttpTriggerInfo(http.Route ?? name, methods, http.AuthLevel.ToString()), null, null, policy);
            }

            if (parameter.GetCustomAttribute<QueueTriggerAttribute>() is { } queue)
            {
                return new FunctionDescriptor(name, method, TriggerKind.Queue, null,
                    new QueueTriggerInfo(queue.QueueName, queue.Connection, parameter), null, policy);
            }

            if (parameter.GetCustomAttribute<TimerTriggerAttribute>() is { } timer)
            {
                return new FunctionDescriptor(name, method, TriggerKind.Timer, null, null,
                    new TimerTriggerInfo(timer.Schedule, timer.RunOnStartup, timer.UseMonitor, parameter), policy);
            }
        }

        throw new InvalidOperationException($"Function '{name}' ({method.DeclaringType?.Name}.{method.Name}) has no HTTP, queue or timer trigger.");
    }
}
