using System.Net.Http.Headers;
using System.Text;
using HubFunctions.Core.Admission;
using HubFunctions.Infrastructure.Admission;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace HubFunctions.Infrastructure.TaxAuthority;

public static class TaxAuthorityRegistration
{
    /// <summary>
    /// The tax authority (ADM-10, CMP-5): <see cref="ITaxCreditService"/> is the simulated authority or
    /// the HTTP adapter, as <c>Hub:TaxAuthority:Mode</c> says (checked at start). The HTTP adapter's
    /// named client carries the standard resilience handler, configured from
    /// <see cref="TaxAuthorityOptions"/> by <see cref="ConfigurePipeline"/>; the registry builds its
    /// pipeline once, so the circuit breaker's state is shared by every call.
    /// </summary>
    public static IServiceCollection AddHubTaxAuthority(this IServiceCollection services)
    {
        services.AddOptions<TaxAuthorityOptions>().BindConfiguration(TaxAuthorityOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaxAuthorityOptions>, Validator>());
        services.AddOptions<SimulatedTaxAuthorityOptions>().BindConfiguration(SimulatedTaxAuthorityOptions.Section);
        services.TryAddSingleton<SimulatedTaxCreditService>();
        services.TryAddSingleton<HttpTaxCreditService>();
        services.TryAddSingleton<ITaxCreditService>(sp => sp.GetRequiredService<IOptions<TaxAuthorityOptions>>().Value.UsesHttp
            ? sp.GetRequiredService<HttpTaxCreditService>()
            : sp.GetRequiredService<SimulatedTaxCreditService>());

        services.AddHttpClient(HttpTaxCreditService.ClientName, (sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<TaxAuthorityOptions>>().Value;
                var baseUrl = options.BaseUrl ?? throw new InvalidOperationException($"{TaxAuthorityOptions.Section}:BaseUrl is not set.");
                client.BaseAddress = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
                client.Timeout = Timeout.InfiniteTimeSpan; // the pipeline's total timeout rules
                client.MaxResponseContentBufferSize = HttpTaxCreditService.MaxAnswerBytes;
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                    Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.ClientId}:{options.ApiKey}")));
                client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            })
            .AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions pipeline, IServiceProvider sp) => ConfigurePipeline(pipeline, sp.GetRequiredService<IOptions<TaxAuthorityOptions>>().Value));
        return services;
    }

    /// <summary>
    /// The standard pipeline (outermost first: rate limiter, total timeout, retry, circuit breaker,
    /// attempt timeout) with our numbers. Retries and the breaker count 5xx, 408, 429, connection
    /// failures and attempt timeouts; a retry waits exponentially from <see cref="TaxAuthorityOptions.RetryDelay"/>
    /// with jitter, or what a 429/503 <c>Retry-After</c> asks.
    /// </summary>
    public static void ConfigurePipeline(HttpStandardResilienceOptions pipeline, TaxAuthorityOptions options)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(options);
        pipeline.AttemptTimeout.Timeout = options.AttemptTimeout;
        pipeline.TotalRequestTimeout.Timeout = options.TotalTimeout;
        pipeline.Retry.MaxRetryAttempts = options.MaxRetryAttempts;
        pipeline.Retry.Delay = options.RetryDelay;
        pipeline.Retry.BackoffType = DelayBackoffType.Exponential;
        pipeline.Retry.UseJitter = true;
        pipeline.CircuitBreaker.FailureRatio = options.BreakFailureRatio;
        pipeline.CircuitBreaker.MinimumThroughput = options.BreakMinimumThroughput;
        pipeline.CircuitBreaker.SamplingDuration = options.BreakSamplingDuration;
        pipeline.CircuitBreaker.BreakDuration = options.BreakDuration;
    }

    private sealed class Validator : IValidateOptions<TaxAuthorityOptions>
    {
        public ValidateOptionsResult Validate(string? name, TaxAuthorityOptions options)
        {
            var problems = options.Problems().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
