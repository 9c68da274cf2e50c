using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using HubFunctions.Core.Common;
using HubFunctions.Core.Documents;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace HubFunctions.Infrastructure.Documents;

/// <summary>
/// Reads a document upload (<c>multipart/form-data</c>) with ASP.NET Core's <see cref="MultipartReader"/>,
/// streaming the <c>file</c> part into staged blocks (<see cref="BlobDocumentFiles"/>) while it
/// hashes it (SHA-256), sniffs its first bytes (DOC-2) and counts it: at most one block
/// (<see cref="BlobDocumentFiles.BlockSize"/>) is in memory at a time, and reading stops past
/// 20 MiB or at bytes that are not a PDF, JPEG or PNG (nothing of those is staged beyond what was
/// read). Text parts are read up to 1 KiB each. Every form problem (a missing or repeated
/// <c>file</c>, a repeated or unknown field, a malformed body) is returned as a field error.
/// </summary>
public sealed class MultipartDocumentReader(BlobDocumentFiles files)
{
    public const int MaxFieldBytes = 1024;
    private static readonly string[] Fields = ["type", "issuedOn", "documentNumber", "sealed", "brand", "entityName"];

    /// <summary>The multipart boundary of a <c>multipart/form-data</c> content type, or null for any other.</summary>
    public static string? Boundary(string? contentType)
        => MediaTypeHeaderValue.TryParse(contentType, out var media)
           && media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
           && HeaderUtilities.RemoveQuotes(media.Boundary).Value is { Length: > 0 and <= 70 } boundary
            ? boundary
            : null;

    public async Task<DocumentUpload> ReadAsync(Stream body, string boundary, string blobName, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<FieldError>();
        UploadedFile? file = null;
        var fileParts = 0;
        var reader = new MultipartReader(boundary, body) { HeadersLengthLimit = 16 * 1024, HeadersCountLimit = 8 };
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    || HeaderUtilities.RemoveQuotes(disposition.Name).Value is not { Length: > 0 } name)
                {
                    errors.Add(new("$", "invalid-part", "Every part needs Content-Disposition: form-data with a name."));
                    continue;
                }

                if (name == "file")
                {
                    if (++fileParts == 1)
                    {
                        var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                        file = await StageAsync(section.Body, blobName, section.ContentType, fileName, cancellationToken).ConfigureAwait(false);
                    }
                    else if (fileParts == 2)
                    {
                        errors.Add(new("file", "duplicate-part", "Send exactly one file part."));
                    }
                }
                else if (!Fields.Contains(name, StringComparer.Ordinal))
                {
                    errors.Add(new(name.Length <= 64 ? name : "$", "unknown-part", $"Unknown part; the parts are file, {string.Join(", ", Fields)}."));
                }
                else if (!values.TryAdd(name, await TextAsync(section.Body, cancellationToken).ConfigureAwait(false) ?? "\0"))
                {
                    errors.Add(new(name, "duplicate-part", $"Send {name} once."));
                }
                else if (values[name] == "\0")
                {
                    errors.Add(new(name, "invalid-value", $"{name} must be UTF-8 text of at most {MaxFieldBytes} bytes."));
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            errors.Add(new("$", "malformed-multipart", "The body is not a complete multipart/form-data message."));

            // The file may have been staged in part: hand it on so that it is discarded.
            file ??= fileParts > 0 ? new UploadedFile(blobName, 0, false, null, null, null, null, "") : null;
        }

        if (fileParts == 0)
        {
            errors.Add(new("file", "required", "The file part is required."));
        }

        var fields = new DocumentSubmission(Value("type"), Value("issuedOn"), Value("documentNumber"), Value("sealed"), Value("brand"), Value("entityName"));
        return new DocumentUpload(fields, file, errors);

        string? Value(string key) => values.TryGetValue(key, out var v) && v != "\0" ? v : null;
    }

    private async Task<UploadedFile> StageAsync(Stream content, string blobName, string? contentType, string? fileName, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BlobDocumentFiles.BlockSize);
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            int fill = 0, block = 0, read;
            FileKind? kind = null;
            bool sniffed = false, tooLarge = false, refused = false;
            while ((read = await content.ReadAsync(buffer.AsMemory(fill, BlobDocumentFiles.BlockSize - fill), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > FileKinds.MaxBytes)
                {
                    tooLarge = true;
                    break;
                }

                sha.AppendData(buffer, fill, read);
                fill += read;
                if (!sniffed && fill >= FileKinds.SniffLength)
                {
                    sniffed = true;
                    kind = FileKinds.Detect(buffer.AsSpan(0, fill));
                    if (kind is null)
                    {
                        refused = true;
                        break;
                    }
                }

                if (fill == BlobDocumentFiles.BlockSize)
                {
                    await files.StageAsync(blobName, block++, buffer, fill, cancellationToken).ConfigureAwait(false);
                    fill = 0;
                }
            }

            if (!sniffed && !tooLarge)
            {
                kind = FileKinds.Detect(buffer.AsSpan(0, fill));
            }

            if (!tooLarge && !refused && kind is not null && fill > 0)
            {
                await files.StageAsync(blobName, block, buffer, fill, cancellationToken).ConfigureAwait(false);
            }

            return new UploadedFile(blobName, total, tooLarge, tooLarge ? null : kind, FileKinds.Declared(contentType), FileKinds.DeclaredByName(fileName),
                fileName, Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The part as UTF-8 text, or null when longer than <see cref="MaxFieldBytes"/> or not UTF-8.</summary>
    private static async Task<string?> TextAsync(Stream content, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var fill = 0;
        int read;
        while (fill < buffer.Length && (read = await content.ReadAsync(buffer.AsMemory(fill), cancellationToken).ConfigureAwait(false)) > 0)
        {
            fill += read;
        }

        if (fill > MaxFieldBytes)
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, fill);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
