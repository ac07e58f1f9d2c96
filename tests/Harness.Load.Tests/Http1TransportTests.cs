using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Harness.Load.Target;
using Harness.Load.Tests.Support;
using Exchange = Harness.Load.Tests.Support.ScriptedHttpServer.Exchange;

namespace Harness.Load.Tests;

/// <summary>The runner's own HTTP/1.1 client, against a server that answers exactly as each test scripts.</summary>
public sealed class Http1TransportTests
{
    private const string Consumed = """{"code":0,"message":"success","data":{"recordId":"r-1","coins":3,"replayed":false}}""";
    private static readonly LoadCall Health = new("GET", "/api/health", null);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_request_goes_out_as_given_with_host_headers_and_body()
    {
        await using var server = new ScriptedHttpServer(e => e.WriteAsync(Exchange.Ok(Consumed)));
        using var transport = new Http1Transport(server.BaseUrl, 4, TimeSpan.FromSeconds(5));

        var answer = await transport.SendAsync(new LoadCall("POST", "/api/finance/consume", """{"tokens":1000}"""u8.ToArray(), "Bearer t0k", "hk_1"), Cancellation);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(new EnvelopeFields(0, "r-1", 3, false), answer.Fields);
        Assert.Equal(
            $"POST /api/finance/consume HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nAuthorization: Bearer t0k\r\nX-API-Key: hk_1\r\n"
            + "Content-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"tokens\":1000}",
            Assert.Single(server.Requests));
    }

    [Fact]
    public async Task A_form_body_goes_out_with_its_content_type_and_extra_headers_and_the_answer_body_is_kept_when_asked()
    {
        const string session = """{"id":"cs_test_1","object":"checkout.session"}""";
        await using var server = new ScriptedHttpServer(e => e.WriteAsync(Exchange.Ok(session)));
        using var transport = new Http1Transport(server.BaseUrl, 4, TimeSpan.FromSeconds(5));
        var call = new LoadCall("POST", "/v1/checkout/sessions", "mode=payment"u8.ToArray(), "Bearer sk")
        {
            ContentType = LoadCall.FormContentType,
            Headers = [new("Idempotency-Key", "k-1")],
        };

        var kept = await transport.SendAsync(call with { KeepBody = true }, Cancellation);
        var notKept = await transport.SendAsync(call, Cancellation);

        Assert.Equal(session, System.Text.Encoding.UTF8.GetString(kept.Body!));
        Assert.Null(notKept.Body);
        Assert.Equal(
            $"POST /v1/checkout/sessions HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nAuthorization: Bearer sk\r\nIdempotency-Key: k-1\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 12\r\n\r\nmode=payment",
            server.Requests[0]);
    }

    [Fact]
    public async Task An_answer_that_arrives_a_byte_at_a_time_is_read_whole_and_the_connection_is_kept()
    {
        await using var server = new ScriptedHttpServer(e => e.TrickleAsync(Exchange.Ok(Consumed, "Server: trickle\r\n")));
        using var transport = new Http1Transport(server.BaseUrl, 4, TimeSpan.FromSeconds(10));

        var first = await transport.SendAsync(Health, Cancellation);
        var second = await transport.SendAsync(Health, Cancellation);

        Assert.Equal("r-1", first.Fields.RecordId);
        Assert.Equal("r-1", second.Fields.RecordId);
        Assert.Equal(1, server.Accepted);
    }

    [Fact]
    public async Task A_chunked_answer_is_decoded_past_chunk_extensions_and_trailers()
    {
        var body = """{"code":402,"message":"insufficient balance"}""";
        var chunked = $"HTTP/1.1 402 Payment Required\r\nTransfer-Encoding: chunked\r\n\r\n"
            + $"5;note=first\r\n{body[..5]}\r\n{body.Length - 5:x}\r\n{body[5..]}\r\n0\r\nX-Trailer: yes\r\n\r\n";
        await using var server = new ScriptedHttpServer(e => e.Number == 1 ? e.WriteAsync(chunked) : e.WriteAsync(Exchange.Ok(Consumed)));
        using var transport = new Http1Transport(server.BaseUrl, 4, TimeSpan.FromSeconds(5));

        var refused = await transport.SendAsync(Health, Cancellation);
        var next = await transport.SendAsync(Health, Cancellation);

        Assert.Equal(HttpStatusCode.PaymentRequired, refused.Status);
        Assert.Equal(402, refused.Fields.Code);
        Assert.Equal(0, next.Fields.Code);
        Assert.Equal(1, server.Accepted); // the trailer was read to its end: the connection stayed in step
    }

    [Fact]
    public async Task An_interim_100_continue_is_skipped()
    {
        await using var server = new ScriptedHttpServer(e => e.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n" + Exchange.Ok(Consumed)));
        using var transport = new Http1Transport(server.BaseUrl, 4, TimeSpan.FromSeconds(5));

        var answer = await transport.SendAsync(Health, Cancellation);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("r-1", answer.Fields.RecordId);
    }

    [Fact]
    public async Task An_answer_that_closes_its_connection_is_read_to_the_end_and_the_next_call_connects_again()
    {
        await using var server = new ScriptedHttpServer(async e =>
        {
            await e.WriteAsync(e.Number == 1 ? "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + Consumed : Exchange.Ok(Consumed, "Connection: close\r\n"));
            e.Close();
        });
        using var transport = new Http1Transport(server.BaseUrl, 4, TimeSpan.FromSeconds(5));

        var unframed = await transport.SendAsync(Health, Cancellation);
        var framed = await transport.SendAsync(Health, Cancellation);

        Assert.Equal("r-1", unframed.Fields.RecordId);
        Assert.Equal("r-1", framed.Fields.RecordId);
        Assert.Equal(2, server.Accepted);
        Assert.Equal(0, transport.OpenConnections);
    }

    [Fact]
    public async Task A_keep_alive_connection_the_server_closed_while_idle_is_replaced_and_the_call_sent_once_more()
    {
        // Answers as if the connection stayed, then drops it: the client only learns when it uses it again.
        await using var server = new ScriptedHttpServer(async e =>
        {
            await e.WriteAsync(Exchange.Ok(Consumed));
            e.Close();
        });
        using var transport = new Http1Transport(server.BaseUrl, 4, TimeSpan.FromSeconds(5));
        await transport.SendAsync(Health, Cancellation);
        await Task.Delay(100, Cancellation);

        var answer = await transport.SendAsync(Health, Cancellation);

        Assert.Equal("r-1", answer.Fields.RecordId);
        Assert.Equal(2, server.Accepted);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_call_past_its_timeout_fails_as_a_timeout_and_the_next_call_gets_a_new_connection()
    {
        await using var server = new ScriptedHttpServer(e => e.Number == 1 ? Task.Delay(Timeout.Infinite, e.Stop) : e.WriteAsync(Exchange.Ok(Consumed)));
        using var transport = new Http1Transport(server.BaseUrl, 4, TimeSpan.FromMilliseconds(300));

        var timeout = await Assert.ThrowsAsync<TaskCanceledException>(async () => await transport.SendAsync(Health, Cancellation));
        var next = await transport.SendAsync(Health, Cancellation);

        Assert.IsType<TimeoutException>(timeout.InnerException);
        Assert.Equal("r-1", next.Fields.RecordId);
        Assert.Equal(2, server.Accepted);
    }

    [Fact]
    public async Task An_aborted_call_ends_as_cancelled_at_once()
    {
        await using var server = new ScriptedHttpServer(e => Task.Delay(Timeout.Infinite, e.Stop));
        using var transport = new Http1Transport(server.BaseUrl, 4, TimeSpan.FromSeconds(30));
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        abort.CancelAfter(TimeSpan.FromMilliseconds(200));

        var aborted = await Assert.ThrowsAsync<TaskCanceledException>(async () => await transport.SendAsync(Health, abort.Token));

        Assert.Equal(abort.Token, aborted.CancellationToken);
    }

    [Fact]
    public async Task Calls_beyond_the_connection_limit_wait_for_a_free_connection()
    {
        await using var server = new ScriptedHttpServer(AnswerAfter(50));
        using var transport = new Http1Transport(server.BaseUrl, 2, TimeSpan.FromSeconds(10));

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => transport.SendAsync(Health, Cancellation).AsTask()));

        Assert.All(answers, a => Assert.Equal("r-1", a.Fields.RecordId));
        Assert.Equal(2, server.Accepted);
        Assert.Equal(2, server.MostOpen);
    }

    [Fact]
    public async Task The_timeout_covers_the_whole_call_the_wait_for_a_free_connection_included()
    {
        // One connection, answers that take 300 ms each, a 700 ms timeout: four calls at once would each
        // be answered within 700 ms of being sent, but not of being made.
        await using var server = new ScriptedHttpServer(AnswerAfter(300));
        using var transport = new Http1Transport(server.BaseUrl, 1, TimeSpan.FromMilliseconds(700));

        var calls = Enumerable.Range(0, 4).Select(_ => transport.SendAsync(Health, Cancellation).AsTask()).ToList();
        await Task.WhenAll(calls).ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.True(calls[0].IsCompletedSuccessfully);
        var timedOut = await Assert.ThrowsAsync<TaskCanceledException>(() => calls[3]);
        Assert.IsType<TimeoutException>(timedOut.InnerException);
        Assert.All(calls.Where(c => !c.IsCompletedSuccessfully), c => Assert.True(c.IsCanceled, "a call past the timeout ends cancelled"));
        Assert.InRange(calls.Count(c => c.IsCompletedSuccessfully), 1, 2);
    }

    [Theory]
    [InlineData("garbage\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: twelve\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"code\":0}")]
    public async Task An_answer_that_is_not_http_or_is_cut_short_is_a_connection_failure(string answer)
    {
        await using var server = new ScriptedHttpServer(async e =>
        {
            await e.WriteAsync(answer);
            e.Close();
        });
        using var transport = new Http1Transport(server.BaseUrl, 4, TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<IOException>(async () => await transport.SendAsync(Health, Cancellation));
        Assert.Equal(0, transport.OpenConnections);
    }

    [Fact]
    public async Task A_target_that_refuses_connections_fails_the_call_as_http_client_would()
    {
        var port = ScriptedHttpServer.UnusedPort();
        using var transport = new Http1Transport(new Uri($"http://127.0.0.1:{port}/"), 4, TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<HttpRequestException>(async () => await transport.SendAsync(Health, Cancellation));
    }

    [Fact]
    public async Task An_https_target_is_spoken_to_over_tls_and_its_certificate_is_checked_unless_told_otherwise()
    {
        using var certificate = SelfSigned();
        await using var server = new ScriptedHttpServer(e => e.WriteAsync(Exchange.Ok(Consumed)), certificate);
        using var checking = new Http1Transport(server.BaseUrl, 4, TimeSpan.FromSeconds(10));
        using var insecure = new Http1Transport(server.BaseUrl, 4, TimeSpan.FromSeconds(10), acceptAnyCertificate: true);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(async () => await checking.SendAsync(Health, Cancellation));
        var answer = await insecure.SendAsync(Health, Cancellation);

        Assert.Contains("certificate", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("r-1", answer.Fields.RecordId);
        Assert.StartsWith("GET /api/health HTTP/1.1\r\n", Assert.Single(server.Requests), StringComparison.Ordinal);
    }

    /// <summary>A script that answers every request with a consume's success after <paramref name="milliseconds"/>.</summary>
    private static Func<Exchange, Task> AnswerAfter(int milliseconds) => async e =>
    {
        await Task.Delay(milliseconds, e.Stop);
        await e.WriteAsync(Exchange.Ok(Consumed));
    };

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null); // a key the TLS server can use on every platform
    }
}
