using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using PdfSharp.Fonts;

namespace HubFunctions.Infrastructure.Billing.Pdf;

/// <summary>PDF settings (<c>Hub:Pdf</c>).</summary>
public sealed class PdfOptions
{
    public const string Section = "Hub:Pdf";

    /// <summary>
    /// A folder holding <see cref="BillingFonts.CjkFile"/>, <see cref="BillingFonts.LatinFile"/> and
    /// <see cref="BillingFonts.LatinBoldFile"/>. Empty: the app's own <c>fonts</c> folder (<see cref="BillingFonts.AppFontFolder"/>,
    /// where the build and publish put the fonts the Functions project ships), and where a file is missing there the Debian
    /// font packages' paths (<c>fonts-droid-fallback</c>, <c>fonts-dejavu-core</c>).
    /// </summary>
    public string? FontFolder { get; set; }
}

/// <summary>
/// The three TrueType fonts billing PDFs are drawn with, located and read once. PDFsharp 6.2.4 cannot read
/// font collections (<c>.ttc</c>, which is how Debian ships Noto CJK and WenQuanYi), so the CJK font is
/// <c>DroidSansFallbackFull.ttf</c>; it has no Latin glyphs, so Latin text uses DejaVu Sans
/// (<see cref="FontRuns"/> decides which run gets which).
/// </summary>
public sealed class BillingFonts
{
    public const string CjkFile = "DroidSansFallbackFull.ttf";
    public const string LatinFile = "DejaVuSans.ttf";
    public const string LatinBoldFile = "DejaVuSans-Bold.ttf";

    /// <summary>The fonts shipped with the app: <c>fonts/</c> next to its assemblies (functions/HubFunctions.Functions/fonts).</summary>
    public static string AppFontFolder => Path.Combine(AppContext.BaseDirectory, "fonts");

    /// <summary>Where the Debian packages put the files (the fallback when the app's folder lacks one).</summary>
    public static readonly IReadOnlyDictionary<string, string> DebianPaths = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [CjkFile] = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        [LatinFile] = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        [LatinBoldFile] = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    };

    public BillingFonts(IOptions<PdfOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (paths, problems) = Locate(options.Value.FontFolder);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }

        HubFontResolver.Install();
        Cjk = HubFontResolver.Instance.Register(File.ReadAllBytes(paths[CjkFile]));
        Latin = HubFontResolver.Instance.Register(File.ReadAllBytes(paths[LatinFile]));
        LatinBold = HubFontResolver.Instance.Register(File.ReadAllBytes(paths[LatinBoldFile]));
    }

    /// <summary>The family name to give <c>XFont</c> for CJK runs.</summary>
    public string Cjk { get; }

    /// <summary>The family name to give <c>XFont</c> for Latin runs.</summary>
    public string Latin { get; }

    /// <summary>The family name to give <c>XFont</c> for bold Latin runs.</summary>
    public string LatinBold { get; }

    /// <summary>
    /// The path of each font file, from <paramref name="folder"/> when set (that folder only), else from
    /// <paramref name="appFolder"/> (default <see cref="AppFontFolder"/>) or, for a file missing there, <see cref="DebianPaths"/>;
    /// and a message for each one missing (empty when all exist). A missing font fails the app at start-up (options
    /// validation), never at the first PDF.
    /// </summary>
    public static (IReadOnlyDictionary<string, string> Paths, IReadOnlyList<string> Problems) Locate(string? folder, string? appFolder = null)
    {
        var configured = !string.IsNullOrWhiteSpace(folder);
        var shipped = appFolder ?? AppFontFolder;
        var paths = DebianPaths.ToDictionary(p => p.Key, p => configured ? Path.Combine(folder!, p.Key)
            : File.Exists(Path.Combine(shipped, p.Key)) ? Path.Combine(shipped, p.Key) : p.Value, StringComparer.Ordinal);
        var problems = paths.Where(p => !File.Exists(p.Value))
            .Select(p => configured
                ? $"Font {p.Key} for billing PDFs is missing at {p.Value} ({PdfOptions.Section}:FontFolder must hold {CjkFile}, {LatinFile} and {LatinBoldFile})."
                : $"Font {p.Key} for billing PDFs is missing at {Path.Combine(shipped, p.Key)} (shipped with the app from functions/HubFunctions.Functions/fonts) and at {p.Value}: build or publish the Functions project, which copies its fonts folder, install the Debian packages fonts-droid-fallback and fonts-dejavu-core, or set {PdfOptions.Section}:FontFolder to a folder holding {CjkFile}, {LatinFile} and {LatinBoldFile}.")
            .ToList();
        return (paths, problems);
    }
}

/// <summary>Fails the app at start-up when a billing font is missing.</summary>
public sealed class PdfOptionsValidation : IValidateOptions<PdfOptions>
{
    public ValidateOptionsResult Validate(string? name, PdfOptions options)
        => BillingFonts.Locate(options.FontFolder).Problems is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}

/// <summary>
/// PDFsharp's font resolver is one process-wide setting that must always be given the same instance, so this
/// is the one instance: it serves the font files registered with it, each under a face name derived from the
/// file's SHA-256 (the same bytes always get the same name; different files never share one). It resolves
/// nothing else: a family it does not know fails loudly instead of falling back to a font without the glyphs.
/// </summary>
internal sealed class HubFontResolver : IFontResolver
{
    public static readonly HubFontResolver Instance = new();

    private static readonly Lock Gate = new();
    private readonly ConcurrentDictionary<string, byte[]> _faces = new(StringComparer.Ordinal);

    private HubFontResolver()
    {
    }

    /// <summary>Makes this the PDFsharp font resolver (once per process; safe to call again).</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (!ReferenceEquals(GlobalFontSettings.FontResolver, Instance))
            {
                GlobalFontSettings.FontResolver = Instance;
            }
        }
    }

    /// <summary>Registers a TrueType file; returns the family (and face) name to draw with it.</summary>
    public string Register(byte[] font)
    {
        var name = "hub-" + Convert.ToHexStringLower(SHA256.HashData(font))[..16];
        _faces.TryAdd(name, font);
        return name;
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic)
        => _faces.ContainsKey(familyName) ? new FontResolverInfo(familyName) : null;

    public byte[]? GetFont(string faceName) => _faces.TryGetValue(faceName, out var font) ? font : null;
}
