using System.Collections.Concurrent;
using HubFunctions.Infrastructure.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// The DevHost in-process against the run's Azurite, with the test clients, the test-only
/// functions of this assembly, and optionally a fake clock, listeners and a function filter. Each
/// factory runs on its own tables, queues and containers (<see cref="Names"/>, unless given), so a
/// sweeper or a queue listener in one test never sees another test's rows or messages.
/// </summary>
public sealed class DevHostFactory : WebApplicationFactory<HubFunctions.DevHost.ActiveFunctions>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _clock;
    private readonly Action<IServiceCollection>? _services;

    public DevHostFactory(
        bool listeners = false,
        TimeProvider? clock = null,
        IEnumerable<string>? functions = null,
        string? storage = null,
        IDictionary<string, string?>? settings = null,
        StorageNames? names = null,
        Action<IServiceCollection>? services = null)
    {
        _clock = clock;
        _services = services;
        Names = names ?? TestStorage.IsolatedNames();
        _settings = new Dictionary<string, string?>(TestClients.Settings().Concat(TestStorage.Settings(Names)).Concat(TestNames.Settings()))
        {
            ["AzureWebJobsStorage"] = storage ?? TestStorage.ConnectionString,
            ["DevHost:Listeners"] = listeners ? "true" : "false",
            ["DevHost:Assemblies:0"] = typeof(DevHostFactory).Assembly.GetName().Name,
            ["DevHost:Queues:VisibilityTimeout"] = "00:00:00",
            ["DevHost:Queues:MaxPollingInterval"] = "00:00:00.200",
            ["Hub:Compliance:SweepSchedule"] = "0 5 16 * * *",
            ["Hub:Documents:OrphanSweepSchedule"] = "0 20 * * * *",
            ["Hub:Idempotency:PurgeSchedule"] = "0 30 * * * *",
            ["Hub:Orders:SweepSchedule"] = "0 * * * * *",
            ["Hub:Billing:RunSchedule"] = "0 0 1 1 * *",
        };
        var i = 0;
        foreach (var f in functions ?? [])
        {
            _settings[$"DevHost:Functions:{i++}"] = f;
        }

        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            _settings[k] = v;
        }
    }

    /// <summary>The app's table, queue and container names in this host.</summary>
    public StorageNames Names { get; }

    /// <summary>The test functions' table and queues in this host.</summary>
    public TestFunctionNames TestNames { get; } = TestFunctionNames.Unique();

    /// <summary>What the test functions of this host observed.</summary>
    public TestFunctionState TestState { get; } = new();

    /// <summary>Takes this host's published events (<see cref="EventSink.TakeAsync"/>).</summary>
    public Task<List<HubFunctions.Core.Events.HubEvent>> TakeEventsAsync(string subjectPrefix, int expected, TimeSpan timeout, TimeSpan settle)
        => EventSink.TakeAsync(Names, subjectPrefix, expected, timeout, settle);

    /// <summary>Every log line the host wrote, for tests that check a reason was logged.</summary>
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
        builder.ConfigureServices(services =>
        {
            if (_clock is not null)
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton(_clock);
            }

            services.AddSingleton<ILoggerProvider>(new CollectingLoggerProvider(Logs));
            services.AddSingleton(TestState);
            _services?.Invoke(services);
        });
    }

    /// <summary>An HTTP client that signs every request as <paramref name="client"/>.</summary>
    public HttpClient CreateSignedClient(TestClients.Client client, TimeProvider? clock = null)
        => CreateDefaultClient(new SigningHandler(client, clock ?? _clock ?? TimeProvider.System));

    private sealed class CollectingLoggerProvider(ConcurrentQueue<(LogLevel, string, string)> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Collector(sink, categoryName);

        public void Dispose()
        {
        }

        private sealed class Collector(ConcurrentQueue<(LogLevel, string, string)> sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => sink.Enqueue((logLevel, category, formatter(state, exception)));
        }
    }
}
