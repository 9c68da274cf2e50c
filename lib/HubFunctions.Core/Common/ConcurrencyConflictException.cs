namespace HubFunctions.Core.Common;

/// <summary>
/// The data a decision was based on changed before the decision could be committed (an ETag
/// mismatch, a row that appeared or went away meanwhile). Read again and decide again; see
/// <see cref="OptimisticRetry"/>.
/// </summary>
public sealed class ConcurrencyConflictException(string message, Exception? innerException = null) : Exception(message, innerException);
