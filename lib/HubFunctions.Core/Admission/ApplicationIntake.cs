using System.Text.Json;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Admission;

/// <summary>The outcome of <see cref="ApplicationIntake.SubmitAsync"/>: exactly one member is set.</summary>
/// <param name="Application">The stored application (202).</param>
/// <param name="Errors">Field errors, all at once (422); nothing stored.</param>
/// <param name="OpenApplicationId">The seller's open application (409); nothing stored.</param>
/// <param name="ExistingSeller">The seller is in the seller store already, active or frozen (409); nothing stored.</param>
public sealed record IntakeResult(SellerApplication? Application, IReadOnlyList<FieldError> Errors, string? OpenApplicationId, Seller? ExistingSeller = null);

/// <summary>
/// Application intake (<c>POST /api/applications</c>): validates every field at once
/// (<see cref="ApplicationRules.Validate"/>), opens the application on today's date in Asia/Shanghai
/// with its SLA dates (ADM-6, ADM-7), and stores it with <c>hub.application.submitted</c>, unless the
/// seller has an open application (one per <c>sellerId</c>, enforced by the store) or is a seller
/// already (active or frozen: admission is once; a frozen seller is unfrozen by review, CMP-4); then queues the
/// pre-review (<see cref="PreReviewHandler"/>). The application's SLA dates go into the ADM-7 index
/// (<see cref="IReviewSlaIndex"/>) after it is stored, so a refused submission stores nothing.
/// </summary>
public sealed class ApplicationIntake(IApplicationRepository applications, ISellerDirectory sellers, IReviewSlaIndex slaIndex, IPreReviewQueue preReview, IIdSource ids, ChinaWorkingCalendar calendar, TimeProvider clock)
{
    private static readonly JsonSerializerOptions DataJson = new(JsonSerializerDefaults.Web);

    /// <exception cref="CalendarOutOfRangeException">The SLA would run outside the shipped calendar data.</exception>
    public async Task<IntakeResult> SubmitAsync(ApplicationSubmission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var today = ChinaTime.Today(clock);
        var errors = ApplicationRules.Validate(submission, today);
        if (errors.Count > 0)
        {
            return new IntakeResult(null, errors, null);
        }

        // A seller is admitted once. (Between an approval's commit and the seller's activation a new
        // application could slip past this read; the approval's resume path then finds the seller.)
        if (await sellers.FindAsync(submission.SellerId!, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return new IntakeResult(null, [], null, existing);
        }

        // Ids derive from the signed request: a retry of the same webhook-id draws the same ones.
        var application = SellerApplication.Open(ids.NewId("APP"), submission, today, calendar);
        var submitted = Event(ids, clock, AdmissionEventTypes.ApplicationSubmitted, application, new
        {
            applicationId = application.ApplicationId,
            sellerId = application.SellerId,
            hub = application.Hub,
            category = application.Category,
            greenChannel = application.GreenChannel,
            reviewDueOn = application.ReviewDueOn,
        });
        var open = await applications.TryAddAsync(application, [submitted], cancellationToken).ConfigureAwait(false);
        if (open is not null && open != application.ApplicationId)
        {
            return new IntakeResult(null, [], open);
        }

        // The hourly SLA sweep finds it through the date index (ADM-7). Stage 1 runs from the queue
        // (ADM-5), never inline. A crash before these lines leaves the application unindexed and in
        // pre-review until the sender retries the request (same ids: it meets its own commit and goes on here).
        await slaIndex.AddAsync(application, cancellationToken).ConfigureAwait(false);
        await preReview.EnqueueAsync(application.ApplicationId, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return new IntakeResult(application, [], null);
    }

    /// <summary>An admission event about <paramref name="application"/>, its id from <paramref name="ids"/>.</summary>
    public static HubEvent Event<T>(IIdSource ids, TimeProvider clock, string type, SellerApplication application, T data)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(application);
        return new HubEvent(ids.NewGuid().ToString("D"), type, $"applications/{application.ApplicationId}", clock.GetUtcNow(),
            JsonSerializer.SerializeToElement(data, DataJson), application.SellerId, application.Hub);
    }
}
