using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>Settings of the cutoff sweep checked when the host starts.</summary>
public sealed class OrderSettingsTests
{
    /// <summary>A prefix of <paramref name="length"/> characters for the deadline index tables.</summary>
    private static string Prefix(int length) => "orderdeadlines" + new string('x', length - "orderdeadlines".Length);

    [Theory]
    [InlineData(52, "is 52 characters, longer than 51")]
    [InlineData(70, "is 70 characters, longer than 51")]
    [InlineData(0, "is not a table name")]
    public void DSP_3_a_deadline_index_table_prefix_that_its_minute_tables_cannot_extend_stops_the_host_at_start(int length, string expected)
    {
        var names = TestStorage.IsolatedNames();
        names.OrderDeadlinesTable = length == 0 ? "order-deadlines" : Prefix(length);
        var error = HostStart.Failure(() => new DevHostFactory(names: names)).ToString();
        Assert.Contains($"Hub:Storage:OrderDeadlinesTable '{names.OrderDeadlinesTable}'", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void DSP_3_a_deadline_index_table_prefix_of_51_characters_is_accepted()
    {
        var names = TestStorage.IsolatedNames();
        names.OrderDeadlinesTable = Prefix(StorageNames.MaxOrderDeadlinesTableLength);
        Assert.Empty(names.Problems());
        using var factory = new DevHostFactory(names: names);
        using var client = factory.CreateClient();
    }
}
