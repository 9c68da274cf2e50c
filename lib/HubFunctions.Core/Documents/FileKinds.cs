namespace HubFunctions.Core.Documents;

/// <summary>A file kind DOC-2 accepts, recognised by its magic bytes.</summary>
public enum FileKind
{
    Pdf,
    Jpeg,
    Png,
}

/// <summary>
/// DOC-2: what a file is, from its first bytes only (never from the declared content type or the
/// file name), and what the uploader said it was, for the consistency check.
/// </summary>
public static class FileKinds
{
    /// <summary>At most this many leading bytes decide the kind.</summary>
    public const int SniffLength = 8;

    /// <summary>20 MiB, inclusive.</summary>
    public const long MaxBytes = 20L * 1024 * 1024;

    private static readonly byte[] PdfMagic = "%PDF-"u8.ToArray();
    private static readonly byte[] JpegMagic = [0xFF, 0xD8, 0xFF];
    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The kind the bytes start with, or null (an executable, a ZIP, HTML, text, too short...).</summary>
    public static FileKind? Detect(ReadOnlySpan<byte> head)
        => head.StartsWith(PdfMagic) ? FileKind.Pdf
            : head.StartsWith(PngMagic) ? FileKind.Png
            : head.StartsWith(JpegMagic) ? FileKind.Jpeg
            : null;

    /// <summary>The content type the hub stores and serves for a kind.</summary>
    public static string ContentType(FileKind kind) => kind switch
    {
        FileKind.Pdf => "application/pdf",
        FileKind.Jpeg => "image/jpeg",
        FileKind.Png => "image/png",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>
    /// The kind a part's <c>Content-Type</c> declares, when it names one of the three (also
    /// <c>image/jpg</c>, <c>image/pjpeg</c>); null for none, <c>application/octet-stream</c> or any
    /// other type, which declare nothing checkable.
    /// </summary>
    public static FileKind? Declared(string? contentType)
    {
        var media = (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        return media switch
        {
            "application/pdf" or "application/x-pdf" => FileKind.Pdf,
            "image/jpeg" or "image/jpg" or "image/pjpeg" => FileKind.Jpeg,
            "image/png" => FileKind.Png,
            _ => null,
        };
    }

    /// <summary>The kind a file name's extension declares (<c>.pdf</c>, <c>.jpg</c>, <c>.jpeg</c>, <c>.png</c>), else null.</summary>
    public static FileKind? DeclaredByName(string? fileName)
    {
        var extension = Path.GetExtension(fileName ?? "").ToLowerInvariant();
        return extension switch
        {
            ".pdf" => FileKind.Pdf,
            ".jpg" or ".jpeg" => FileKind.Jpeg,
            ".png" => FileKind.Png,
            _ => null,
        };
    }

    /// <summary>Longest file name accepted (characters).</summary>
    public const int MaxFileNameLength = 255;

    /// <summary>
    /// Why a file name is refused, or null when it is acceptable. The name is never used to store
    /// the file (DOC-2: stored under a random id); it is kept only as the uploader's label, so it
    /// must be a plain name: at most 255 characters, no path (<c>/</c>, <c>\</c>, <c>..</c>), no
    /// control characters (NUL...) and no invisible formatting characters (Unicode category Cf:
    /// the right-to-left override U+202E that disguises <c>exe.pdf</c>, zero-width characters).
    /// </summary>
    public static string? FileNameProblem(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (fileName.Length > MaxFileNameLength)
        {
            return $"the file name is longer than {MaxFileNameLength} characters";
        }

        if (fileName.Contains('/', StringComparison.Ordinal) || fileName.Contains('\\', StringComparison.Ordinal) || fileName.Contains("..", StringComparison.Ordinal))
        {
            return "the file name contains a path (/, \\ or ..)";
        }

        if (fileName.Any(char.IsControl))
        {
            return "the file name contains a control character";
        }

        return fileName.Any(c => char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
            ? "the file name contains an invisible formatting character (e.g. a right-to-left override)"
            : null;
    }
}
