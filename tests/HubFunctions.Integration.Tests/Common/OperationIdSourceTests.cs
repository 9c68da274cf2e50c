using HubFunctions.Core.Common;
using HubFunctions.Infrastructure.Common;

namespace HubFunctions.Integration.Tests.Common;

/// <summary>Ids derived from the operation: a retry of the same request draws the same ids, in the same order.</summary>
public sealed class OperationIdSourceTests
{
    private static (string, string, string, Guid) Draw(IIdSource ids) => (ids.NewId("INS"), ids.NewId("RECT"), ids.NewId("INS"), ids.NewGuid());

    [Fact]
    public void The_same_operation_key_draws_the_same_ids_and_another_key_other_ids()
    {
        var ids = new OperationIdSource();
        (string, string, string, Guid) first, retry, other;
        using (HubOperation.Begin("test-hangzhou/msg_1"))
        {
            first = Draw(ids);
        }

        using (HubOperation.Begin("test-hangzhou/msg_1"))
        {
            retry = Draw(ids);
        }

        using (HubOperation.Begin("test-hangzhou/msg_2"))
        {
            other = Draw(ids);
        }

        Assert.Equal(first, retry);
        Assert.NotEqual(first.Item1, first.Item3);
        Assert.NotEqual(first.Item1, other.Item1);
        Assert.NotEqual(first.Item4, other.Item4);
        Assert.Matches("^INS-[0-9a-z]{20}$", first.Item1);
        Assert.Equal(8, first.Item4.Version);
        Assert.Null(HubOperation.Current);
    }

    [Fact]
    public void Outside_an_operation_ids_are_random()
    {
        var ids = new OperationIdSource();
        Assert.NotEqual(Draw(ids), Draw(ids));
    }
}
