using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Azure.Storage.Queues.Models;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.DevHost;

/// <summary>
/// Calls a function method the way the isolated worker does: a new instance of the function class
/// from DI for each invocation, trigger data bound to the trigger parameter, route values bound by
/// name, <see cref="CancellationToken"/> supplied.
/// </summary>
public sealed class FunctionInvoker
{
    private readonly ConcurrentDictionary<Type, ObjectFactory> _factories = new();

    /// <summary>Refuses, at start-up, a function whose parameters the DevHost cannot supply.</summary>
    public static void Validate(FunctionDescriptor function)
    {
        foreach (var p in function.Method.GetParameters())
        {
            if (p.ParameterType == typeof(FunctionContext))
            {
                throw new InvalidOperationException(
                    $"{function.Name}: take services through the constructor and a CancellationToken instead of FunctionContext, so the function runs under both hosts.");
            }
        }
    }

    public Task<object?> InvokeHttpAsync(FunctionDescriptor function, HttpContext http)
        => InvokeAsync(function, http.RequestServices, http.RequestAborted, p =>
        {
            if (p.ParameterType == typeof(HttpRequest))
            {
                return http.Request;
            }

            if (p.ParameterType == typeof(HttpContext))
            {
                return http;
            }

            var raw = http.Request.RouteValues.TryGetValue(p.Name!, out var value) ? value?.ToString() : null;
            if (raw is null)
            {
                return p.HasDefaultValue ? p.DefaultValue : null;
            }

            try
            {
                return p.ParameterType == typeof(string) ? raw : TypeDescriptor.GetConverter(p.ParameterType).ConvertFromInvariantString(raw);
            }
            catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException)
            {
                throw new BadHttpRequestException($"Route value '{p.Name}' is not a valid {p.ParameterType.Name}.", StatusCodes.Status400BadRequest);
            }
        });

    public Task<object?> InvokeQueueAsync(FunctionDescriptor function, IServiceProvider services, byte[] body, QueueMessage? message, CancellationToken cancellationToken)
        => InvokeAsync(function, services, cancellationToken, p =>
        {
            if (p != function.Queue!.Parameter)
            {
                return null;
            }

            var type = p.ParameterType;
            if (type == typeof(string))
            {
                return System.Text.Encoding.UTF8.GetString(body);
            }

            if (type == typeof(byte[]))
            {
                return body;
            }

            if (type == typeof(BinaryData))
            {
                return BinaryData.FromBytes(body);
            }

            if (type == typeof(QueueMessage))
            {
                return message ?? QueuesModelFactory.QueueMessage("admin", "admin", BinaryData.FromBytes(body), 1);
            }

            return JsonSerializer.Deserialize(body, type, HubJson.Options);
        });

    public Task<object?> InvokeTimerAsync(FunctionDescriptor function, IServiceProvider services, TimerInfo timer, CancellationToken cancellationToken)
        => InvokeAsync(function, services, cancellationToken, p => p == function.Timer!.Parameter ? timer : null);

    private async Task<object?> InvokeAsync(FunctionDescriptor function, IServiceProvider services, CancellationToken cancellationToken, Func<ParameterInfo, object?> bind)
    {
        var method = function.Method;
        object? instance = null;
        if (!method.IsStatic)
        {
            var factory = _factories.GetOrAdd(method.DeclaringType!, t => ActivatorUtilities.CreateFactory(t, Type.EmptyTypes));
            instance = factory(services, null);
        }

        try
        {
            var args = method.GetParameters()
                .Select(p => p.ParameterType == typeof(CancellationToken) ? cancellationToken : bind(p))
                .ToArray();
            object? returned;
            try
            {
                returned = method.Invoke(instance, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }

            return await UnwrapAsync(returned);
        }
        finally
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    private static async Task<object?> UnwrapAsync(object? returned)
    {
        switch (returned)
        {
            case Task task:
                await task;
                var type = task.GetType();
                return type.IsGenericType && type.GetProperty("Result") is { } result && result.PropertyType.Name != "VoidTaskResult"
                    ? result.GetValue(task)
                    : null;
            case ValueTask valueTask:
                await valueTask;
                return null;
            default:
                if (returned is not null && returned.GetType() is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(ValueTask<>))
                {
                    var asTask = (Task)t.GetMethod("AsTask")!.Invoke(returned, null)!;
                    return await UnwrapAsync(asTask);
                }

                return returned;
        }
    }
}
