using Harness.Storage;

namespace Harness.Tests.Mechanisms;

/// <summary>The shared sync behind every document write: writers arriving during a sync share the next one, and none returns before a sync that began after its write.</summary>
public sealed class GroupSyncTests
{
    [Fact]
    public void A_writer_alone_syncs_once_per_write()
    {
        var syncs = 0;
        var group = new GroupSync(() => syncs++);

        for (var i = 0; i < 5; i++)
        {
            group.WaitDurable();
        }

        Assert.Equal(5, syncs);
        Assert.Equal(5, group.Syncs);
    }

    [Fact]
    public async Task Writers_arriving_while_a_sync_runs_share_the_next_one_and_each_waits_for_it()
    {
        using var firstSyncStarted = new ManualResetEventSlim();
        using var releaseFirstSync = new ManualResetEventSlim();
        var writtenWhenSynced = new List<long>();
        GroupSync? group = null;
        group = new GroupSync(() =>
        {
            writtenWhenSynced.Add(group!.Written); // what the sync covers: everything announced before it began
            if (writtenWhenSynced.Count == 1)
            {
                firstSyncStarted.Set();
                releaseFirstSync.Wait(TestContext.Current.CancellationToken);
            }
        });

        var first = Task.Run(group.WaitDurable, TestContext.Current.CancellationToken);
        firstSyncStarted.Wait(TestContext.Current.CancellationToken);
        var behind = Enumerable.Range(0, 5).Select(_ => Task.Run(group.WaitDurable, TestContext.Current.CancellationToken)).ToArray();
        while (group.Written < 6)
        {
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        // None of the writers behind the running sync is durable yet: that sync began before their writes.
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.All(behind, t => Assert.False(t.IsCompleted));

        releaseFirstSync.Set();
        await Task.WhenAll([first, .. behind]);

        Assert.Equal(2, group.Syncs);
        Assert.Equal([1L, 6L], writtenWhenSynced);
    }

    [Fact]
    public void A_failed_sync_fails_its_writer_and_the_next_writer_syncs_again()
    {
        var calls = 0;
        var group = new GroupSync(() =>
        {
            if (++calls == 1)
            {
                throw new IOException("disk gone");
            }
        });

        Assert.Throws<IOException>(group.WaitDurable);
        group.WaitDurable();

        Assert.Equal(2, calls);
        Assert.Equal(1, group.Syncs);
    }
}
