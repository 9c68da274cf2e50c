using System.Security.Cryptography;
using System.Text;

namespace HubFunctions.Core.Common;

/// <summary>
/// Where new ids come from. Inside a <see cref="HubOperation"/> (one signed request, one queue
/// message) ids are derived from the operation's key, so a retry of the same message derives the
/// same ids and its inserts meet the rows the first attempt wrote instead of adding new ones.
/// Outside an operation they are random.
/// </summary>
public interface IIdSource
{
    /// <summary>A new id <c>{prefix}-{20 characters}</c>, e.g. <c>INS-6b0f3c2a9d8e7f1a2b3c</c>.</summary>
    string NewId(string prefix);

    /// <summary>A new GUID (event ids, CloudEvents <c>id</c>).</summary>
    Guid NewGuid();
}

/// <summary>
/// The unit of work a trigger runs: a signed request (<c>{clientId}/{webhook-id}</c>) or a queue
/// message. It flows with the async call (<see cref="AsyncLocal{T}"/>), so deep code can derive ids
/// and commit ids from it without passing it along. Ids drawn in it are numbered per prefix in the
/// order they are drawn, so the same code path draws the same ids again.
/// </summary>
public sealed class HubOperation
{
    private static readonly AsyncLocal<HubOperation?> CurrentOperation = new();
    private readonly Dictionary<string, int> _drawn = new(StringComparer.Ordinal);

    private HubOperation(string key) => Key = key;

    /// <summary>The operation this code runs in, if any.</summary>
    public static HubOperation? Current => CurrentOperation.Value;

    /// <summary>What identifies the work across retries, e.g. <c>seller-center/msg_123</c>.</summary>
    public string Key { get; }

    /// <summary>Starts an operation for the code that runs until the returned scope is disposed.</summary>
    public static IDisposable Begin(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var previous = CurrentOperation.Value;
        CurrentOperation.Value = new HubOperation(key);
        return new Scope(previous);
    }

    /// <summary>
    /// Runs the code until the returned scope is disposed outside any operation: for work gathered from many operations and done
    /// together (DSP-5 counts committed per seller and month), whose commits must not take the stamps of whichever request ran it.
    /// </summary>
    public static IDisposable None()
    {
        var previous = CurrentOperation.Value;
        CurrentOperation.Value = null;
        return new Scope(previous);
    }

    /// <summary>The <paramref name="n"/>-th draw of <paramref name="purpose"/> in this operation, counted from 1.</summary>
    public int Draw(string purpose)
    {
        lock (_drawn)
        {
            _drawn[purpose] = _drawn.GetValueOrDefault(purpose) + 1;
            return _drawn[purpose];
        }
    }

    /// <summary>32 bytes derived from the operation key, a purpose and a number.</summary>
    public static byte[] Derive(string key, string purpose, int n)
        => SHA256.HashData(Encoding.UTF8.GetBytes($"{key}\n{purpose}\n{n}"));

    private sealed class Scope(HubOperation? previous) : IDisposable
    {
        public void Dispose() => CurrentOperation.Value = previous;
    }
}
