using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace HubFunctions.Functions.Hosting;

/// <summary>
/// A file response (e.g. a PDF) written directly, so it behaves the same under the Functions host and the
/// DevHost (no MVC executors involved). <see cref="DownloadName"/> becomes an inline <c>Content-Disposition</c>.
/// </summary>
public sealed class HubFileResult(byte[] content, string contentType, string? downloadName = null) : IActionResult
{
    public byte[] Content { get; } = content;

    public string ContentType { get; } = contentType;

    public string? DownloadName { get; } = downloadName;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.ContentLength = Content.Length;
        if (DownloadName is not null)
        {
            var disposition = new ContentDispositionHeaderValue("inline");
            disposition.SetHttpFileName(DownloadName);
            response.Headers.ContentDisposition = disposition.ToString();
        }

        await response.Body.WriteAsync(Content, context.HttpContext.RequestAborted);
    }
}
