using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>The sandbox clock moved to an hour of China time, where WeChat Pay's and Alipay's bills are dated.</summary>
public sealed partial class SandboxSteps
{
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>The China day now on the sandbox clock.</summary>
    internal static DateOnly ChinaDay(DateTimeOffset now) => DateOnly.FromDateTime(now.ToOffset(ChinaOffset).DateTime);

    [When("the sandbox clock reaches {int}:00 China time the next day")]
    public async Task NextChinaDay(int hour)
    {
        var now = await _world.NowAsync();
        _world.BillDay = ChinaDay(now);
        await AdvanceToAsync(now, new DateTimeOffset(_world.TheBillDay.AddDays(1).ToDateTime(new TimeOnly(hour, 0)), ChinaOffset));
    }

    [When("the sandbox clock reaches {int}:00 China time")]
    public async Task ChinaHour(int hour)
    {
        var now = await _world.NowAsync();
        var target = new DateTimeOffset(ChinaDay(now).ToDateTime(new TimeOnly(hour, 0)), ChinaOffset);
        await AdvanceToAsync(now, target > now ? target : target.AddDays(1));
    }

    /// <summary>The control API moves the clock by whole seconds: rounded up, so the hour is reached, not missed by a fraction.</summary>
    private Task AdvanceToAsync(DateTimeOffset now, DateTimeOffset target) =>
        _world.AdvanceAsync(TimeSpan.FromSeconds(Math.Ceiling((target - now).TotalSeconds)));
}
