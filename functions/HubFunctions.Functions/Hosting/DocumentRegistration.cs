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
    /// <summary>Documents (DOC-1..5): the store, the files, upload, validation and review, and pre-review's documents port.</summary>
    public static IServiceCollection AddHubDocuments(this IServiceCollection services)
    {
        services.AddOptions<DocumentsOptions>().BindConfiguration(DocumentsOptions.Section)
            .Validate(o => o.DownloadLinkLifetime > TimeSpan.Zero && o.DownloadLinkLifetime <= DocumentsOptions.MaxLinkLifetime,
                "Hub:Documents:DownloadLinkLifetime must be more than 0 and at most 15 minutes (DOC-4).")
            .ValidateOnStart();
        services.TryAddSingleton<IDocumentRepository, TableDocumentRepository>();
        services.TryAddSingleton<BlobDocumentFiles>();
        services.TryAddSingleton<IDocumentFiles>(sp => sp.GetRequiredService<BlobDocumentFiles>());
        services.TryAddSingleton<IDocumentValidationQueue, StorageDocumentValidationQueue>();
        services.TryAddSingleton<MultipartDocumentReader>();
        services.TryAddSingleton<IOpenApplications, TableApplicationRepository>();
        services.TryAddSingleton<IAdmissionDocumentSource, DocumentAdmissionFacts>();
        services.TryAddSingleton<DocumentIntake>();
        services.TryAddSingleton<DocumentReview>();
        services.TryAddSingleton<DocumentQueries>();
        return services;
    }
}
