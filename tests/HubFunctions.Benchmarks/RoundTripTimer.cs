using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Benchmarks;

/// <summary>
/// A stopwatch on every storage round trip the app's clients make (an Azure SDK pipeline policy,
/// per try): counts and time per kind of request (<c>POST hub-events/messages</c>,
/// <c>$batch state</c>, <c>DELETE state entity</c>, ...), to show where the time of relaying goes.
/// </summary>
/// <param name="tableRole">Optional: a name for the role of a table (<c>orders</c>, <c>index</c>, ...) to split the <c>state</c> kinds by; null for <c>state</c>.</param>
public sealed class RoundTripTimer(StorageNames names, Func<string, string?>? tableRole = null) : StorageClientPolicy
{
    private readonly ConcurrentDictionary<string, (int Count, long Ticks, long First, long Last)> _kinds = new(StringComparer.Ordinal);
    private long _origin = Stopwatch.GetTimestamp();

    public void Reset()
    {
        _kinds.Clear();
        _origin = Stopwatch.GetTimestamp();
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        finally
        {
            var ended = Stopwatch.GetTimestamp();
            var elapsed = ended - started;
            _kinds.AddOrUpdate(Kind(message.Request) + Failure(message), (1, elapsed, started, ended),
                (_, v) => (v.Count + 1, v.Ticks + elapsed, Math.Min(v.First, started), Math.Max(v.Last, ended)));
        }
    }

    /// <summary>How many round trips since <see cref="Reset"/> were of a kind <paramref name="kind"/> accepts (the kinds as <see cref="Report"/> names them).</summary>
    public int Calls(Func<string, bool> kind) => _kinds.Where(k => kind(k.Key)).Sum(k => k.Value.Count);

    /// <summary>
    /// One line per kind of round trip: count, mean latency, share of the summed time, and the span
    /// (from the first call's start to the last call's end, in seconds since <see cref="Reset"/>).
    /// </summary>
    public IEnumerable<string> Report(int events)
    {
        var total = _kinds.Values.Sum(v => v.Ticks);
        foreach (var (kind, (count, ticks, first, last)) in _kinds.OrderByDescending(k => k.Value.Ticks))
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"  {kind,-34} {count,6} calls  {(double)count / events,5:F2}/event  mean {ticks * 1000.0 / Stopwatch.Frequency / count,7:F2} ms  {100.0 * ticks / total,5:F1} %  from {Seconds(first),6:F2} s to {Seconds(last),6:F2} s");
        }

        var calls = _kinds.Values.Sum(v => v.Count);
        yield return string.Create(CultureInfo.InvariantCulture, $"  {"all round trips",-34} {calls,6} calls  {(double)calls / events,5:F2}/event");
    }

    /// <summary>
    /// The table's role: the one <c>tableRole</c> gives, <c>intents</c>, <c>state</c> (a table not of <see cref="StorageNames"/>), or,
    /// when <paramref name="names"/> gave it, its setting (<c>SellersTable</c>; <c>RenewalIndexTable day</c> for a renewal day table).
    /// </summary>
    private string Role(string table)
    {
        if (tableRole?.Invoke(table) is { } role)
        {
            return role;
        }

        if (table == names.OutboxIntentsTable)
        {
            return "intents";
        }

        if (table.StartsWith(names.RenewalIndexTable + "d", StringComparison.Ordinal) && table.Length == names.RenewalIndexTable.Length + 9)
        {
            return "RenewalIndexTable day";
        }

        return names.All.Where(n => n.Name == table).Select(n => n.Setting).FirstOrDefault() ?? "state";
    }

    private double Seconds(long timestamp) => (double)(timestamp - _origin) / Stopwatch.Frequency;

    /// <summary>
    /// Empty for a call that succeeded; else <c>" → NNN"</c>, the status (a conflict, a missing row, ...), so failed calls, e.g.
    /// a counter commit that lost a race, are counted apart. A <c>$batch</c> answers 202 either way; its failure is the status
    /// of the change inside that failed.
    /// </summary>
    private static string Failure(HttpMessage message)
    {
        if (!message.HasResponse)
        {
            return " → no answer";
        }

        var status = message.Response.Status;
        if (status == 202 && message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) && message.Response.ContentStream is MemoryStream buffered)
        {
            // The first sub-response with a 4xx or 5xx status (searched in the bytes: this runs on every call of the load).
            var text = buffered.TryGetBuffer(out var bytes) ? bytes.AsSpan() : buffered.ToArray();
            for (var at = text.IndexOf("HTTP/1.1 "u8); at >= 0 && at + 12 <= text.Length; at = NextAt(text, at))
            {
                if (text[at + 9] is (byte)'4' or (byte)'5')
                {
                    return $" → {System.Text.Encoding.ASCII.GetString(text.Slice(at + 9, 3))} inside";
                }
            }

            return "";
        }

        return status >= 400 ? $" → {status}" : "";
    }

    private static int NextAt(ReadOnlySpan<byte> text, int at)
    {
        var next = text[(at + 9)..].IndexOf("HTTP/1.1 "u8);
        return next < 0 ? -1 : at + 9 + next;
    }

    private string Kind(Request request)
    {
        var path = Uri.UnescapeDataString(request.Uri.Path);
        var method = request.Method.Method;
        if (path.Contains("/messages", StringComparison.Ordinal))
        {
            var queue = path.Split('/', StringSplitOptions.RemoveEmptyEntries).SkipWhile(p => p != "devstoreaccount1").Skip(1).FirstOrDefault() ?? "?";
            var role = queue == names.EventsQueue ? "hub-events" : queue == names.OutboxRelayQueue ? "outbox-relay"
                : names.All.FirstOrDefault(n => n.Name == queue).Setting ?? "other queue";
            var what = method switch { "POST" => "send", "GET" => "receive", "DELETE" => "delete", "PUT" => "update", _ => method };
            return $"queue {what} {role}";
        }

        if (request.Uri.Query.Contains("comp=metadata", StringComparison.Ordinal))
        {
            // Queue properties (the approximate message count): the benchmark's own checks.
            return "queue properties";
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).SkipWhile(p => p != "devstoreaccount1").Skip(1).ToArray();
        if (segments.Length >= 2 && names.All.FirstOrDefault(n => n.Setting.EndsWith("Container", StringComparison.Ordinal) && n.Name == segments[0]) is { Setting: { } container })
        {
            // A blob: upload (PUT), download (GET), ... in one of the app's containers.
            var blobOp = method switch { "PUT" => "upload", "GET" => "download", "HEAD" => "properties", "DELETE" => "delete", _ => method };
            return $"blob {blobOp} {container}";
        }

        var segment = path.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        if (segment == "$batch")
        {
            // The table is named in the first change's request line: keep the body's first bytes only (this runs on every $batch).
            using var body = new PrefixStream(1024);
            request.Content?.WriteTo(body, CancellationToken.None);
            var text = System.Text.Encoding.UTF8.GetString(body.Prefix);
            var batched = System.Text.RegularExpressions.Regex.Match(text, "/devstoreaccount1/([A-Za-z0-9]+)");
            return $"table $batch {Role(batched.Success ? batched.Groups[1].Value : "")}";
        }

        var table = segment.Split('(', '?')[0];
        var tableKind = table is "Tables" ? method switch { "GET" => "(tables)", "DELETE" => "(table dropped)", _ => "(table created)" } : Role(table);
        var op = method switch
        {
            "GET" when segment.Contains("RowKey", StringComparison.Ordinal) => "point read",
            "GET" => "query",
            "MERGE" or "PATCH" => "merge",
            "PUT" => "replace",
            "POST" => "insert",
            "DELETE" => "delete",
            _ => method,
        };
        return $"table {op} {tableKind}";
    }
}

/// <summary>A write-only stream that keeps the first bytes written to it and discards the rest.</summary>
internal sealed class PrefixStream(int keep) : Stream
{
    private readonly byte[] _prefix = new byte[keep];
    private int _length;

    public ReadOnlySpan<byte> Prefix => _prefix.AsSpan(0, _length);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var take = Math.Min(buffer.Length, _prefix.Length - _length);
        buffer[..take].CopyTo(_prefix.AsSpan(_length));
        _length += take;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
