using HubFunctions.Core.Common;
using HubFunctions.Core.Events;
using HubFunctions.Core.Labels;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Core.Tests.Labels;

/// <summary>LBL-4: the inspection use case with an in-memory repository.</summary>
public sealed class InspectionHandlerTests
{
    private static readonly InspectionCommand Bad = new("hangzhou", "s1", "R-1", 100, [.. Enumerable.Range(0, 6).Select(i => new InspectionFailure($"L{i}", "smudged"))], "op");

    [Fact]
    public async Task LBL_4_a_retried_commit_stores_the_inspection_under_the_id_drawn_before_the_first_attempt()
    {
        var ids = new CountingIds();
        var repository = new ConflictingOnce();
        var handler = new InspectionHandler(repository, new OptimisticRetry(new NoJitter()), ids, new FakeTimeProvider());

        var result = await handler.HandleAsync(Bad, CancellationToken.None);

        Assert.Equal(2, repository.Commits.Count);
        Assert.Equal(["INS-1", "INS-1"], repository.Commits.Select(c => c.Inspection.InspectionId));
        Assert.Equal("INS-1", result.InspectionId);
        Assert.Equal(1, ids.Drawn["INS"]);
        Assert.Equal(RectificationTransition.Open, result.Transition);
        Assert.Equal("RECT-4", result.RectificationId); // each attempt decides again and draws its own order id
        var opened = Assert.Single(repository.Commits[^1].Events);
        Assert.Equal((EventTypes.RectificationOpened, "rectifications/RECT-4"), (opened.Type, opened.Subject));
        Assert.Equal(new Guid(5, 0, 0, [0, 0, 0, 0, 0, 0, 0, 0]).ToString("D"), opened.Id); // event ids come from the IIdSource too
    }

    private sealed class ConflictingOnce : IInspectionRepository
    {
        public List<(InspectionRecord Inspection, IReadOnlyList<HubEvent> Events)> Commits { get; } = [];

        public Task<OpenRectification?> FindOpenRectificationAsync(string sellerId, CancellationToken cancellationToken) => Task.FromResult<OpenRectification?>(null);

        public Task<InspectionResult?> CommitAsync(InspectionRecord inspection, RectificationChange change, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
        {
            Commits.Add((inspection, events));
            return Commits.Count == 1 ? throw new ConcurrencyConflictException("raced") : Task.FromResult<InspectionResult?>(null);
        }
    }

    /// <summary>Counts draws across prefixes, so the test sees the order of draws: attempt 1 draws RECT-2 and event guid 3, attempt 2 RECT-4 and guid 5</summary>
    private sealed class CountingIds : IIdSource
    {
        private int _n;

        public Dictionary<string, int> Drawn { get; } = [];

        public string NewId(string prefix)
        {
            Drawn[prefix] = Drawn.GetValueOrDefault(prefix) + 1;
            return $"{prefix}-{++_n}";
        }

        public Guid NewGuid() => new(++_n, 0, 0, [0, 0, 0, 0, 0, 0, 0, 0]);
    }

    private sealed class NoJitter : IRandomSource
    {
        public int Next(int minInclusive, int maxExclusive) => minInclusive;
    }
}
