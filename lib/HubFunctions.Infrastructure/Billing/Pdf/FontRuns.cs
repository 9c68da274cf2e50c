using System.Text;

namespace HubFunctions.Infrastructure.Billing.Pdf;

/// <summary>Which font draws a run of text.</summary>
public enum FontSlot
{
    /// <summary>Latin, digits, punctuation and symbols such as m³, ×, ÷ (DejaVu Sans).</summary>
    Latin,

    /// <summary>Chinese, Japanese and Korean characters and full-width punctuation (Droid Sans Fallback).</summary>
    Cjk,
}

/// <summary>A maximal piece of text drawn with one font.</summary>
public readonly record struct FontRun(FontSlot Slot, string Text);

/// <summary>
/// Splits text into CJK and Latin runs. PDFsharp does no font fallback, and no single TrueType font that
/// PDFsharp can read here covers both scripts (ARCHITECTURE.md, "PDFs with Chinese text"): Droid Sans
/// Fallback has the CJK glyphs but no Latin ones, DejaVu Sans the reverse. So every string is drawn run by
/// run, each run with the font that has its glyphs.
/// </summary>
public static class FontRuns
{
    /// <summary>
    /// True for code points drawn with the CJK font: CJK radicals, symbols and punctuation (、。「」), kana,
    /// bopomofo, Hangul, enclosed and compatibility CJK, unified ideographs (with extension A and the
    /// supplementary planes), compatibility ideographs, vertical and small forms, and half- and full-width
    /// forms (（）：，). Everything else, spaces included, is Latin.
    /// </summary>
    public static bool IsCjk(int codePoint) => codePoint switch
    {
        >= 0x2E80 and <= 0x2FFF => true, // CJK radicals, Kangxi radicals, ideographic description
        >= 0x3000 and <= 0x303F => true, // CJK symbols and punctuation (ideographic space included)
        >= 0x3040 and <= 0x31FF => true, // kana, bopomofo, Hangul compatibility jamo, kanbun, strokes
        >= 0x3200 and <= 0x4DBF => true, // enclosed CJK, CJK compatibility, extension A
        >= 0x4E00 and <= 0x9FFF => true, // CJK unified ideographs
        >= 0xA960 and <= 0xA97F => true, // Hangul jamo extended-A
        >= 0xAC00 and <= 0xD7FF => true, // Hangul syllables and jamo extended-B
        >= 0xF900 and <= 0xFAFF => true, // CJK compatibility ideographs
        >= 0xFE30 and <= 0xFE4F => true, // CJK compatibility forms
        >= 0xFF00 and <= 0xFFEF => true, // half-width and full-width forms
        >= 0x20000 and <= 0x3FFFF => true, // ideographs of the supplementary planes
        _ => false,
    };

    /// <summary>
    /// The runs of <paramref name="text"/>, in order: joined they give the text back exactly; no run is empty;
    /// two neighbours never share a slot; a surrogate pair is never split. An ill-formed lone surrogate stays
    /// in the run it appears in (as Latin).
    /// </summary>
    public static IReadOnlyList<FontRun> Split(string? text)
    {
        var runs = new List<FontRun>();
        if (string.IsNullOrEmpty(text))
        {
            return runs;
        }

        var start = 0;
        FontSlot? current = null;
        var i = 0;
        while (i < text.Length)
        {
            var status = Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var length);
            var slot = status == System.Buffers.OperationStatus.Done && IsCjk(rune.Value) ? FontSlot.Cjk : FontSlot.Latin;
            if (current is { } c && c != slot)
            {
                runs.Add(new FontRun(c, text[start..i]));
                start = i;
            }

            current = slot;
            i += Math.Max(length, 1);
        }

        runs.Add(new FontRun(current!.Value, text[start..]));
        return runs;
    }
}
