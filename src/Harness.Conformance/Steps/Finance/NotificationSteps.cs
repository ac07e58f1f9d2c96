using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Finance;

/// <summary>
/// The runner playing the channel: validly signed, stale, tampered, repeated, reordered, concurrent and wrong-amount
/// notifications sent to the target's <c>/api/payment/notify/{channel}</c>, and the races of a notification with a
/// close and with status polls. Every notification is signed with the keys the sandbox publishes.
/// </summary>
[Steps]
public sealed class NotificationSteps(ScenarioContext context)
{
    private readonly RechargeWorld _world = context.Get<RechargeWorld>();

    [ParameterType("flaw", "with a stale timestamp|with a tampered signature|with its body changed after signing")]
    public static NoticeFlaw ParseFlaw(string text) => text switch
    {
        "with a stale timestamp" => NoticeFlaw.Stale,
        "with a tampered signature" => NoticeFlaw.TamperedSignature,
        _ => NoticeFlaw.BodyChangedAfterSigning,
    };

    [When("the channel sends a valid paid notification for the order")]
    [Needs(Need.Sandbox)]
    public async Task SendValid() => await _world.NotifyAsync(await _world.PaidNoticeAsync(NoticeFlaw.None));

    [When("the channel sends a paid notification for the order {flaw}")]
    [Needs(Need.Sandbox)]
    public async Task SendFlawed(NoticeFlaw flaw) => await _world.NotifyAsync(await _world.PaidNoticeAsync(flaw));

    [When("the channel sends a validly signed paid notification for the order of {int} fen")]
    [Needs(Need.Sandbox)]
    public async Task SendOtherAmount(int fen) => await _world.NotifyAsync(await _world.PaidNoticeAsync(NoticeFlaw.None, fen));

    [When("the channel sends a valid paid notification on {word} for an order the target does not have")]
    [Needs(Need.Sandbox)]
    public async Task SendUnknownOrder(string channel)
    {
        _world.LastNotice = await _world.Player.PaidAsync(channel, ChannelPlayer.UnknownOrder(), 100, NoticeFlaw.None);
        await _world.NotifyAsync(_world.LastNotice);
    }

    [When("the channel sends the same notification again")]
    public async Task SendAgain() =>
        await _world.NotifyAsync(_world.LastNotice ?? throw new AssertionException("the runner has sent no notification yet"));

    [When("the channel sends the same valid paid notification {int} times at once")]
    [Needs(Need.Sandbox)]
    public async Task SameAtOnce(int count)
    {
        var notice = await _world.PaidNoticeAsync(NoticeFlaw.None);
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => _world.NotifyAsync(notice)));
    }

    [When("the channel sends {int} separately signed valid paid notifications at once")]
    [Needs(Need.Sandbox)]
    public async Task DistinctAtOnce(int count)
    {
        var notices = new List<ChannelNotice>();
        for (var i = 0; i < count; i++)
        {
            notices.Add(await _world.PaidNoticeAsync(NoticeFlaw.None));
        }

        await Task.WhenAll(notices.Select(_world.NotifyAsync));
    }

    /// <summary>Two notifications, one signed a minute before the other (both inside the window), the later one delivered first.</summary>
    [When("the channel sends two valid paid notifications, the later one first")]
    [Needs(Need.Sandbox)]
    public async Task Reordered()
    {
        var earlier = await _world.PaidNoticeAsync(NoticeFlaw.None, age: TimeSpan.FromMinutes(1));
        var later = await _world.PaidNoticeAsync(NoticeFlaw.None);
        await _world.NotifyAsync(later);
        await _world.NotifyAsync(earlier);
    }

    [When("the user closes the order while the channel sends a valid paid notification for it")]
    [Needs(Need.Sandbox)]
    public async Task CloseRacingNotification()
    {
        var notice = await _world.PaidNoticeAsync(NoticeFlaw.None);
        var close = _world.CloseAsync();
        var notify = _world.NotifyAsync(notice);
        await Task.WhenAll(close, notify);
        _world.CloseAnswer = await close;
    }

    [When("the user polls the recharge's status {int} times while the sandbox resends the order's notification")]
    [Needs(Need.Sandbox)]
    public async Task PollsRacingResend(int polls)
    {
        var all = Enumerable.Range(0, polls).Select(_ => (Task)_world.RechargeStatusAsync()).Append(_world.ResendAsync()).ToList();
        await Task.WhenAll(all);
    }

    [Then("the notification is acknowledged as the channel expects")]
    public void LastAcknowledged()
    {
        var (channel, answer) = LastAnswer;
        Check.That(RechargeWorld.Acknowledged(channel, answer), $"{Expected(channel)}, got HTTP {(int)answer.Status}: {answer.Body}");
    }

    [Then("every notification is acknowledged as the channel expects")]
    public void AllAcknowledged()
    {
        Check.That(_world.NoticeAnswers.Count > 0, "the runner has sent no notification");
        foreach (var (channel, answer) in _world.NoticeAnswers)
        {
            Check.That(RechargeWorld.Acknowledged(channel, answer), $"{Expected(channel)}, got HTTP {(int)answer.Status}: {answer.Body}");
        }
    }

    /// <summary>WeChat Pay: a 4xx or 5xx with <c>{"code":"FAIL"}</c>; Alipay: anything but the body <c>success</c> (the reference answers 400 <c>fail</c>).</summary>
    [Then("the notification is refused as the channel expects")]
    public void LastRefused()
    {
        var (channel, answer) = LastAnswer;
        Check.That(!RechargeWorld.Acknowledged(channel, answer), $"the refused notification was acknowledged: HTTP {(int)answer.Status}: {answer.Body}");
        if (channel == "wechat")
        {
            Check.That((int)answer.Status >= 400, $"WeChat Pay reads a refusal from a 4xx or 5xx status, got HTTP {(int)answer.Status}");
            Check.Equal("FAIL", ApiReply.Text(ApiReply.Field(answer.Json, "code")), "code of the refusal");
        }
    }

    /// <summary>The close and the notification raced: exactly one of them won, and the other side was answered as documented.</summary>
    [Then("the order settled one way: paid and credited once with the close refused, or closed with nothing credited")]
    public async Task SettledOneWay()
    {
        var close = _world.CloseAnswer ?? throw new AssertionException("no close raced a notification");
        AllAcknowledged();
        var status = await _world.RechargeStatusAsync();
        var state = ApiReply.Text(ApiReply.Field(status, "status"));
        var balance = await _world.Finance.BalanceOfAsync(_world.Finance.TheUser);
        var gained = balance - _world.Finance.TheUser.StartingBalance;
        switch (state)
        {
            case "PAID":
                Check.Equal(_world.Order.TotalCoins, gained, "coins credited to a paid order");
                Check.Equal(HttpStatusCode.Conflict, close.Status, $"the close that lost to the payment ({close.Body})");
                Check.Equal(40900, close.Code, "code of the refused close");
                break;
            case "CLOSED":
                Check.Equal(0L, gained, "coins credited to a closed order");
                Check.That(close.IsSuccess, $"the close that won answered HTTP {(int)close.Status}: {close.Body}");
                Check.Equal("CLOSED", ApiReply.Text(ApiReply.Path(close.Data, "status")), "the payment status the close answered");
                break;
            default:
                throw new AssertionException($"after the race the recharge is {state}, neither PAID nor CLOSED");
        }
    }

    private (string Channel, ApiReply Answer) LastAnswer =>
        _world.NoticeAnswers.Count > 0 ? _world.NoticeAnswers[^1] : throw new AssertionException("the runner has sent no notification");

    private static string Expected(string channel) => channel == "alipay"
        ? "Alipay takes only the body \"success\" as an acknowledgement"
        : "WeChat Pay takes only a 2xx (200 or 204) as an acknowledgement";
}
