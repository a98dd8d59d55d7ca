using ConnectEvents.Hosting;

namespace ConnectEvents.UnitTests.Hosting;

/// <summary>The process-wide body budget: what fits, the reserve that only small bodies reach, and every byte given back.</summary>
public sealed class RequestBodyBudgetTests
{
    private const long Total = 10_000;
    private const long Small = 100;
    private const long Reserve = 1_000;

    [Fact]
    public void LargeBodiesFillTheBudgetLessTheReserveAndNoMore()
    {
        var budget = new RequestBodyBudget(Total, Small, Reserve);

        Assert.True(budget.TryReserve(5_000));
        Assert.True(budget.TryReserve(4_000));
        Assert.False(budget.TryReserve(101));
        Assert.Equal(9_000, budget.UsedBytes);
    }

    [Fact]
    public void SmallBodiesStillFitWhileLargeOnesHaveTakenAllTheyMay()
    {
        var budget = new RequestBodyBudget(Total, Small, Reserve);
        Assert.True(budget.TryReserve(9_000));

        var small = Enumerable.Range(0, 20).Count(_ => budget.TryReserve(Small));

        Assert.Equal(10, small); // the reserve holds ten 100-byte bodies, then the whole budget is used
        Assert.False(budget.TryReserve(1));
        Assert.Equal(Total, budget.UsedBytes);
    }

    [Fact]
    public void ReleasedBytesCanBeReservedAgain()
    {
        var budget = new RequestBodyBudget(Total, Small, Reserve);
        Assert.True(budget.TryReserve(9_000));
        Assert.False(budget.TryReserve(5_000));

        budget.Release(9_000);

        Assert.Equal(0, budget.UsedBytes);
        Assert.True(budget.TryReserve(5_000));
    }

    [Fact]
    public void AnEmptyBodyAlwaysFits()
    {
        var budget = new RequestBodyBudget(Total, Small, Reserve);
        Assert.True(budget.TryReserve(Total - Reserve));
        Assert.All(Enumerable.Range(0, 10), _ => Assert.True(budget.TryReserve(Small)));
        Assert.False(budget.TryReserve(1));

        Assert.True(budget.TryReserve(0));
    }

    [Fact]
    public void ReleasingMoreThanIsReservedIsRefusedAndLeavesTheCountAsItWas()
    {
        var budget = new RequestBodyBudget(Total, Small, Reserve);
        Assert.True(budget.TryReserve(50));

        Assert.Throws<InvalidOperationException>(() => budget.Release(51));
        Assert.Equal(50, budget.UsedBytes);
    }

    [Fact]
    public void TheReserveIsAtMostHalfTheBudget()
    {
        var budget = new RequestBodyBudget(Total, Small, Total * 2);

        Assert.Equal(Total / 2, budget.ReserveBytes);
        Assert.True(budget.TryReserve(Total / 2));
        Assert.False(budget.TryReserve(Small + 1));
    }

    [Fact]
    public void TheBudgetIsAFractionOfTheHeapLimitUnlessBytesAreGiven()
    {
        var heap = 384L * 1024 * 1024;

        var fromHeap = RequestBodyBudget.From(new RequestBodyOptions { BudgetFraction = 0.25, RetryAfterSeconds = 7 }, heap);
        var explicitBytes = RequestBodyBudget.From(new RequestBodyOptions { BudgetBytes = 1_000_000 }, heap);
        var tinyHeap = RequestBodyBudget.From(new RequestBodyOptions(), 1024 * 1024);

        Assert.Equal(96L * 1024 * 1024, fromHeap.TotalBytes);
        Assert.Equal(7, fromHeap.RetryAfterSeconds);
        Assert.Equal(1_000_000, explicitBytes.TotalBytes);
        Assert.Equal(RequestBodyBudget.MinimumBytes, tinyHeap.TotalBytes);
    }

    // Many threads reserving and releasing at once: the count never passes the budget and ends at zero.
    [Fact]
    public async Task ConcurrentReservationsNeverOverfillTheBudget()
    {
        var budget = new RequestBodyBudget(Total, Small, Reserve);
        long peak = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var bytes = (i + worker) % 3 == 0 ? Small : 700;
                if (budget.TryReserve(bytes))
                {
                    var used = budget.UsedBytes;
                    InterlockedMax(ref peak, used);
                    budget.Release(bytes);
                }
            }
        })));

        Assert.True(peak <= Total, $"peak {peak}");
        Assert.Equal(0, budget.UsedBytes);
    }

    [Theory]
    [InlineData(0.0, 0, 65536, 0, 2, "RequestBodies__BudgetFraction")]
    [InlineData(0.25, 1000, 65536, 0, 2, "RequestBodies__BudgetBytes")]
    [InlineData(0.25, 0, 10, 0, 2, "RequestBodies__SmallBodyBytes")]
    [InlineData(0.25, 0, 65536, -1, 2, "RequestBodies__SmallBodyReserveBytes")]
    [InlineData(0.25, 0, 65536, 0, 0, "RequestBodies__RetryAfterSeconds")]
    public void AnUnusableSettingIsNamed(double fraction, long bytes, int small, long reserve, int retryAfter, string setting)
    {
        var options = new RequestBodyOptions { BudgetFraction = fraction, BudgetBytes = bytes, SmallBodyBytes = small, SmallBodyReserveBytes = reserve, RetryAfterSeconds = retryAfter };

        var problems = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        var problem = Assert.Single(problems);
        Assert.StartsWith(setting, problem.ErrorMessage, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
