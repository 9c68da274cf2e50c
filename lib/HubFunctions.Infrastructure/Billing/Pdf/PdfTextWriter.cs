using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace HubFunctions.Infrastructure.Billing.Pdf;

/// <summary>A column of a <see cref="PdfTextWriter.Table"/>: header, width in points, right-aligned or not.</summary>
internal sealed record PdfColumn(string Header, double Width, bool Right = false);

/// <summary>
/// Writes A4 pages top to bottom: headings, wrapped paragraphs and tables, drawing every string run by run
/// with the CJK or the Latin font (<see cref="FontRuns"/>), breaking pages as needed (a table repeats its
/// header on the next page).
/// </summary>
internal sealed class PdfTextWriter : IDisposable
{
    public const double Margin = 42;

    private readonly PdfDocument _document;
    private readonly BillingFonts _fonts;
    private readonly Dictionary<(FontSlot Slot, double Size, bool Bold), XFont> _cache = [];
    private XGraphics? _gfx;
    private double _pageHeight;

    public PdfTextWriter(PdfDocument document, BillingFonts fonts)
    {
        _document = document;
        _fonts = fonts;
        NewPage();
    }

    /// <summary>The top of the next line, in points from the top of the page.</summary>
    public double Y { get; private set; }

    /// <summary>The usable width between the margins.</summary>
    public double Width { get; private set; }

    private XGraphics Gfx => _gfx!;

    public void NewPage()
    {
        _gfx?.Dispose();
        var page = _document.AddPage();
        page.Size = PdfSharp.PageSize.A4;
        _gfx = XGraphics.FromPdfPage(page);
        _pageHeight = page.Height.Point;
        Width = page.Width.Point - (2 * Margin);
        Y = Margin;
    }

    /// <summary>Leaves <paramref name="points"/> of space, or starts a new page when the page is full.</summary>
    public void Space(double points)
    {
        Y += points;
        EnsureRoom(0);
    }

    /// <summary>A paragraph at the left margin (plus <paramref name="indent"/>), wrapped to the width.</summary>
    public void Paragraph(string text, double size = 9.5, bool bold = false, double indent = 0)
    {
        foreach (var line in Wrap(text, Width - indent, size, bold))
        {
            EnsureRoom(LineHeight(size));
            Draw(line, Margin + indent, Y, size, bold);
            Y += LineHeight(size);
        }
    }

    /// <summary>A label and its value on one line (the value wrapped beside the label).</summary>
    public void Field(string label, string value, double labelWidth = 150, double size = 9.5)
    {
        var lines = Wrap(value, Width - labelWidth, size, bold: false);
        EnsureRoom(LineHeight(size) * lines.Count);
        Draw(label, Margin, Y, size, bold: true);
        foreach (var line in lines)
        {
            Draw(line, Margin + labelWidth, Y, size, bold: false);
            Y += LineHeight(size);
        }
    }

    /// <summary>A horizontal rule across the page.</summary>
    public void Rule()
    {
        EnsureRoom(6);
        Gfx.DrawLine(XPens.Gray, Margin, Y + 2, Margin + Width, Y + 2);
        Y += 6;
    }

    /// <summary>A table: a bold header row, then each row's cells wrapped in their columns; rows never split across pages.</summary>
    public void Table(IReadOnlyList<PdfColumn> columns, IEnumerable<IReadOnlyList<string>> rows, double size = 8.5)
    {
        Row(columns, [.. columns.Select(c => c.Header)], size, bold: true, header: null);
        foreach (var row in rows)
        {
            Row(columns, row, size, bold: false, header: columns);
        }
    }

    private void Row(IReadOnlyList<PdfColumn> columns, IReadOnlyList<string> cells, double size, bool bold, IReadOnlyList<PdfColumn>? header)
    {
        const double Pad = 3;
        var wrapped = columns.Select((c, i) => Wrap(cells[i], c.Width - (2 * Pad), size, bold)).ToList();
        var height = (wrapped.Max(w => w.Count) * LineHeight(size)) + (2 * Pad);
        if (Y + height > _pageHeight - Margin)
        {
            NewPage();
            if (header is not null)
            {
                Row(header, [.. header.Select(c => c.Header)], size, bold: true, header: null);
            }
        }

        var x = Margin;
        for (var i = 0; i < columns.Count; i++)
        {
            var lineY = Y + Pad;
            foreach (var line in wrapped[i])
            {
                var lineX = columns[i].Right ? x + columns[i].Width - Pad - Measure(line, size, bold) : x + Pad;
                Draw(line, lineX, lineY, size, bold);
                lineY += LineHeight(size);
            }

            x += columns[i].Width;
        }

        Y += height;
        Gfx.DrawLine(bold ? XPens.Black : XPens.LightGray, Margin, Y, Margin + columns.Sum(c => c.Width), Y);
    }

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (x, y), run by run.</summary>
    public double Draw(string text, double x, double y, double size, bool bold)
    {
        var start = x;
        foreach (var run in FontRuns.Split(text))
        {
            var font = Font(run.Slot, size, bold);
            Gfx.DrawString(run.Text, font, XBrushes.Black, x, y, XStringFormats.TopLeft);
            x += Gfx.MeasureString(run.Text, font).Width;
        }

        return x - start;
    }

    public double Measure(string text, double size, bool bold)
        => FontRuns.Split(text).Sum(run => Gfx.MeasureString(run.Text, Font(run.Slot, size, bold)).Width);

    /// <summary>
    /// Greedy line breaking: Latin text breaks at spaces, CJK text between any two characters; a word wider
    /// than the line is cut where it no longer fits. Explicit newlines are kept.
    /// </summary>
    public List<string> Wrap(string text, double width, double size, bool bold)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Split('\n'))
        {
            var line = string.Empty;
            foreach (var token in Tokens(paragraph))
            {
                var candidate = line + token;
                if (line.Length == 0 || Measure(candidate.TrimEnd(), size, bold) <= width)
                {
                    line = candidate;
                    continue;
                }

                lines.Add(line.TrimEnd());
                line = token.TrimStart();
                while (line.Length > 1 && Measure(line, size, bold) > width)
                {
                    var fit = line.Length - 1;
                    while (fit > 1 && Measure(line[..fit], size, bold) > width)
                    {
                        fit--;
                    }

                    lines.Add(line[..fit]);
                    line = line[fit..];
                }
            }

            lines.Add(line.TrimEnd());
        }

        return lines;
    }

    /// <summary>Break opportunities: each CJK character alone; Latin words with their trailing spaces.</summary>
    private static IEnumerable<string> Tokens(string text)
    {
        foreach (var run in FontRuns.Split(text))
        {
            if (run.Slot == FontSlot.Cjk)
            {
                var e = System.Globalization.StringInfo.GetTextElementEnumerator(run.Text);
                while (e.MoveNext())
                {
                    yield return (string)e.Current;
                }

                continue;
            }

            var start = 0;
            for (var i = 1; i <= run.Text.Length; i++)
            {
                if (i == run.Text.Length || (run.Text[i - 1] == ' ' && run.Text[i] != ' '))
                {
                    yield return run.Text[start..i];
                    start = i;
                }
            }
        }
    }

    private static double LineHeight(double size) => size * 1.45;

    private void EnsureRoom(double height)
    {
        if (Y + height > _pageHeight - Margin)
        {
            NewPage();
        }
    }

    private XFont Font(FontSlot slot, double size, bool bold)
    {
        var family = slot == FontSlot.Cjk ? _fonts.Cjk : bold ? _fonts.LatinBold : _fonts.Latin;
        if (!_cache.TryGetValue((slot, size, bold), out var font))
        {
            // The CJK font has no bold face: CJK runs are drawn regular, bold or not.
            font = new XFont(family, size, XFontStyleEx.Regular, XPdfFontOptions.UnicodeDefault);
            _cache[(slot, size, bold)] = font;
        }

        return font;
    }

    public void Dispose() => _gfx?.Dispose();
}
