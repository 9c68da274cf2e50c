using HubFunctions.Core.Labels;

namespace HubFunctions.Benchmarks;

/// <summary>
/// A fixed, seeded set of labels: the three LBL-1 forms in turn, about one in ten deliberately
/// faulty (bad check digit, impossible date, missing GS after the batch, production after expiry).
/// Dates lie in 2024-2028, so the century rule reads them the same in any year up to 2073.
/// </summary>
public sealed class LabelCorpus
{
    private LabelCorpus(string[] labels, int expectedValid)
    {
        Labels = labels;
        ExpectedValid = expectedValid;
    }

    /// <summary>The labels.</summary>
    public string[] Labels { get; }

    /// <summary>How many of them are valid.</summary>
    public int ExpectedValid { get; }

    /// <summary>Builds <paramref name="count"/> labels from a fixed seed.</summary>
    public static LabelCorpus Create(int count, int seed = 20260101)
    {
        const string Cs82 = Gs1CharacterSet.Cs82Characters;
        var random = new Random(seed);
        var labels = new string[count];
        var valid = 0;

        string Text(int min, int max)
        {
            var chars = new char[random.Next(min, max + 1)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Cs82[random.Next(Cs82.Length)];
            }

            return new string(chars);
        }

        for (var i = 0; i < count; i++)
        {
            var data = string.Concat(Enumerable.Range(0, 13).Select(_ => (char)('0' + random.Next(10))));
            var gtin = data + (char)('0' + Gs1CheckDigit.Compute(data));
            var production = new DateOnly(2024, 1, 1).AddDays(random.Next(0, 700));
            var expiry = production.AddDays(random.Next(30, 1000));
            var batch = Text(1, 20);
            var serial = Text(1, 20);
            var fault = random.Next(10) == 0 ? random.Next(4) : -1;

            switch (fault)
            {
                case 0: gtin = gtin[..13] + (char)('0' + (gtin[13] - '0' + 1) % 10); break;
                case 3: (production, expiry) = (expiry, production); break;
            }

            var elements = Gs1Formatter.HubLabel(gtin, batch, production, expiry, serial).ToArray();
            if (fault == 1)
            {
                elements[3] = elements[3] with { Value = elements[3].Value[..2] + "13" + elements[3].Value[4..] };
            }

            labels[i] = fault == 2
                ? "]d2" + "01" + gtin + "11" + elements[2].Value + "17" + elements[3].Value + "10" + batch + "21" + serial
                : (i % 3) switch
                {
                    0 => Gs1Formatter.ToBracketed(elements),
                    1 => Gs1Formatter.ToElementString(elements, Gs1SymbologyIdentifiers.ElementString[i % 5]),
                    _ => Gs1Formatter.ToDigitalLink(elements, "https://id.example.com"),
                };
            if (fault < 0)
            {
                valid++;
            }
        }

        return new LabelCorpus(labels, valid);
    }
}
