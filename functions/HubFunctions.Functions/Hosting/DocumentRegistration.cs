using HubFunctions.Core.Admission;
using HubFunctions.Core.Documents;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Infrastructure.Documents;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HubFunctions.Functions.Hosting;

public static class DocumentRegistration
{
    /// <summary>Documents (DOC-1..5): the store, the files, upload, validation and review, the orphan-file sweep, and pre-review's documents port.</summary>
    public static IServiceCollection AddHubDocuments(this IServiceCollection services)
    {
        services.AddOptions<DocumentsOptions>().BindConfiguration(DocumentsOptions.Section)
            .Validate(o => o.DownloadLinkLifetime > TimeSpan.Zero && o.DownloadLinkLifetime <= DocumentsOptions.MaxLinkLifetime,
                "Hub:Documents:DownloadLinkLifetime must be more than 0 and at most 15 minutes (DOC-4).")
            .Validate(o => o.OrphanGracePeriod >= TimeSpan.FromMinutes(5), "Hub:Documents:OrphanGracePeriod must be at least 5 minutes (an upload between its blob and its row commit must not lose its file).")
            .ValidateOnStart();
        services.TryAddSingleton<IDocumentRepository, TableDocumentRepository>();
        services.TryAddSingleton<BlobDocumentFiles>();
        services.TryAddSingleton<IDocumentFiles>(sp => sp.GetRequiredService<BlobDocumentFiles>());
        services.TryAddSingleton<IDocumentValidationQueue, StorageDocumentValidationQueue>();
        services.TryAddSingleton<MultipartDocumentReader>();
        services.TryAddSingleton<IOpenApplications, TableApplicationRepository>();
        services.TryAddSingleton<IAdmissionDocumentSource, DocumentAdmissionFacts>();
        services.TryAddSingleton<IPendingFiles, TablePendingFiles>();
        services.TryAddSingleton<OrphanFileSweep>();
        services.TryAddSingleton<DocumentIntake>();
        services.TryAddSingleton<DocumentReview>();
        services.TryAddSingleton<DocumentQueries>();
        return services;
    }
}
