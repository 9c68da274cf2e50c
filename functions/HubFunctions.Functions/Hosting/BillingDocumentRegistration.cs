using HubFunctions.Core.Billing;
using HubFunctions.Infrastructure.Billing;
using HubFunctions.Infrastructure.Billing.Pdf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HubFunctions.Functions.Hosting;

public static class BillingDocumentRegistration
{
    /// <summary>
    /// Billing documents (BIL-8): the PDF renderer and its fonts (<c>Hub:Pdf</c>; a missing font fails the app at
    /// start-up), the document files in Blob Storage and the fee confirmation letter (rate cards come from the
    /// <see cref="IRateCardSource"/> that <c>AddHubBilling</c> registers: the rate-card table store).
    /// </summary>
    public static IServiceCollection AddHubBillingDocuments(this IServiceCollection services)
    {
        services.AddOptions<PdfOptions>().BindConfiguration(PdfOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PdfOptions>, PdfOptionsValidation>());
        services.TryAddSingleton<BillingFonts>();
        services.TryAddSingleton<IBillingPdfRenderer, PdfBillingRenderer>();
        services.TryAddSingleton<IBillingDocumentFiles, BlobBillingDocumentFiles>();
        services.TryAddSingleton<FeeConfirmationHandler>();
        return services;
    }
}
