using System.Text;
using Harness.Sandbox.Tests.Support;
using Harness.Sandbox.Tests.WeChatPay;

namespace Harness.Sandbox.Tests.Common;

/// <summary>The hostile inputs that each once reached an unhandled exception, kept one by one.</summary>
public sealed partial class HostileInputTests
{
    /// <summary>
    /// Hostile inputs that each reached an unhandled exception (issue #23), one by one. A body's characters are its
    /// bytes (Latin-1), so <c>\u00FF</c> is the raw byte 0xFF: invalid UTF-8 can be written down.
    /// </summary>
    [Theory]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", "multipart/form-data", "--x\r\n\r\n1\r\n--x--", 400)]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1", 400)]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", "multipart/form-data; boundary=x", "--x\r\nnot a header\r\n\r\n1\r\n--x--\r\n", 400)]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", Form, "mode=pay%00ment", 400)]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", Form, "mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&expires_at=99999999999999", 400)]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", Form, "mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&expires_at=-99999999999999", 400)]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", Form, DeepMetadata, 400)]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", Form, "0=x", 400)]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", Form, "[]=x", 400)]
    [InlineData("stripe", "GET", "/v1/checkout/sessions?0=x", null, "", 200)]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", Form, "mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&discounts[0]=x", 400)]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", Form, "mode=subscription&line_items[0][price]=price_HarnessProMonthly&line_items[0][quantity]=1&subscription_data[billing_cycle_anchor_config]=x", 400)]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", Form, "mode=subscription&line_items[0][price]=price_HarnessProMonthly&line_items[0][quantity]=1&subscription_data[billing_cycle_anchor_config][day_of_month]=99999999999999999999", 400)]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", Form, "mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&discounts[0][coupon][x]=1", 400)]
    [InlineData("stripe", "POST", "/v1/invoices/in_missing/add_lines", Form, "lines=x", 400)]
    [InlineData("stripe", "POST", "/v1/invoices/in_missing/add_lines", Form, "lines[0]=x&lines[1][amount]=1", 400)]
    [InlineData("stripe", "POST", "/v1/invoices/in_missing/update_lines", Form, "lines[0][id]=il_x&lines[0][tax_rates][0]=txr_x", 404)]
    [InlineData("stripe", "POST", "/v1/invoices/in_missing/update_lines", Form, "lines[0][id]=il_x&lines[0][tax_amounts][0][amount]=1", 400)]
    [InlineData("stripe", "POST", "/v1/invoices/in_missing/remove_lines", Form, "lines[0][id]=il_x&invoice_metadata=x", 400)]
    [InlineData("stripe", "POST", "/v1/subscription_items", Form, "subscription[0]=x&price=price_HarnessProMonthly", 400)]
    [InlineData("stripe", "POST", "/v1/subscription_items", Form, "subscription=sub_missing&price[x]=1&quantity=1e400", 404)]
    [InlineData("stripe", "POST", "/v1/subscription_items/si_missing", Form, "price[x]=1&metadata=x", 404)]
    [InlineData("stripe", "GET", "/v1/subscription_items?subscription[x]=1", null, "", 400)]
    [InlineData("stripe", "DELETE", "/v1/subscription_items/si_missing?clear_usage=maybe", null, "", 400)]
    [InlineData("stripe", "POST", "/v1/subscriptions/sub_missing", Form, "items[0][deleted]=maybe&items[1][metadata][x][y]=1", 404)]
    [InlineData("stripe", "POST", "/v1/coupons", Form, "percent_off=1e400", 400)]
    [InlineData("stripe", "POST", "/v1/coupons", Form, "percent_off=10&applies_to=x", 400)]
    [InlineData("stripe", "POST", "/v1/coupons", Form, "amount_off=99999999999999999999&currency=usd", 400)]
    [InlineData("stripe", "POST", "/v1/promotion_codes", Form, "promotion=x", 400)]
    [InlineData("stripe", "POST", "/v1/promotion_codes", Form, "promotion[coupon][x]=1", 400)]
    [InlineData("stripe", "POST", "/v1/billing_portal/configurations", Form, "features=x", 400)]
    [InlineData("stripe", "POST", "/v1/billing_portal/configurations", Form, "features[subscription_update][enabled]=true&features[subscription_update][products]=x", 400)]
    [InlineData("stripe", "POST", "/v1/billing_portal/configurations", Form, "features[subscription_update][products][0]=x", 400)]
    [InlineData("stripe", "POST", "/v1/billing_portal/configurations", Form, "features[subscription_update][products][0][product][x]=1&features[subscription_update][products][0][prices][x]=1", 400)]
    [InlineData("stripe", "POST", "/v1/billing_portal/configurations", Form, "features[customer_update][allowed_updates][x][y]=1", 400)]
    [InlineData("stripe", "POST", "/v1/billing_portal/configurations", Form, "features[subscription_cancel][cancellation_reason]=x&features[subscription_cancel][enabled][x]=1", 400)]
    [InlineData("stripe", "POST", "/v1/billing_portal/configurations", Form, "features[invoice_history][enabled]=true&business_profile[headline][x]=1&login_page=x", 400)]
    [InlineData("stripe", "POST", "/v1/billing_portal/configurations/bpc_missing", Form, "active=maybe&features[nope]=1", 400)]
    [InlineData("stripe", "GET", "/v1/billing_portal/configurations?active[x]=1&limit=99999999999999999999", null, "", 400)]
    [InlineData("stripe", "POST", "/v1/billing_portal/sessions", Form, "customer[x]=1&flow_data=x", 400)]
    [InlineData("stripe", "POST", "/v1/billing_portal/sessions", Form, "customer=cus_missing&locale[x]=1&return_url=javascript:alert(1)", 400)]
    [InlineData("stripe", "POST", "/v1/billing_portal/sessions", Form, "customer=cus_missing&flow_data[type][x]=1&flow_data[after_completion]=x", 404)]
    [InlineData("stripe", "POST", "/v1/tax_rates", Form, "display_name[x]=1&percentage=1e400&inclusive=maybe", 400)]
    [InlineData("stripe", "POST", "/v1/tax_rates", Form, "display_name=VAT&percentage=99999999999999999999999999999999&inclusive=false", 400)]
    [InlineData("stripe", "POST", "/v1/tax_rates", Form, "display_name=VAT&percentage=10&inclusive=false&country[x]=1&metadata=x", 400)]
    [InlineData("stripe", "POST", "/v1/tax_rates/txr_missing", Form, "active=maybe&percentage=5", 400)]
    [InlineData("stripe", "POST", "/v1/tax_rates/txr_missing", Form, "display_name=x", 404)]
    [InlineData("stripe", "GET", "/v1/tax_rates?created[x]=1&inclusive=maybe", null, "", 400)]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", Form, "mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&line_items[0][tax_rates]=x", 400)]
    [InlineData("stripe", "POST", "/v1/checkout/sessions", Form, "mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&line_items[0][tax_rates][0][x]=1", 400)]
    [InlineData("stripe", "POST", "/v1/invoices", Form, "customer=cus_missing&default_tax_rates[0][x]=1", 404)]
    [InlineData("stripe", "POST", "/v1/subscriptions", Form, "customer=cus_missing&default_tax_rates[0]=txr_x", 400)]
    [InlineData("stripe", "POST", "/v1/billing/meters", Form, "display_name=a&event_name=b&default_aggregation=x", 400)]
    [InlineData("stripe", "POST", "/v1/billing/meters", Form, "display_name=a&event_name=b&default_aggregation[formula][x]=1&customer_mapping=x", 400)]
    [InlineData("stripe", "POST", "/v1/billing/meter_events", Form, "event_name=x&payload=x", 400)]
    [InlineData("stripe", "POST", "/v1/billing/meter_events", Form, "event_name[x]=1&payload[value]=1e400&timestamp=99999999999999999999", 400)]
    [InlineData("stripe", "POST", "/v1/billing/meter_event_adjustments", Form, "event_name=x&type=cancel&cancel=x", 400)]
    [InlineData("stripe", "POST", "/v1/webhook_endpoints", Form, "url[x]=1&enabled_events=x", 400)]
    [InlineData("stripe", "POST", "/v1/webhook_endpoints", Form, "url=http://127.0.0.1:9/h&enabled_events[0][x]=1&description[y]=2", 400)]
    [InlineData("stripe", "POST", "/v1/webhook_endpoints", Form, "url=http://127.0.0.1:9/h&enabled_events[0]=*&metadata=x&connect=maybe", 400)]
    [InlineData("stripe", "POST", "/v1/webhook_endpoints/we_missing", Form, "disabled=sometimes", 400)]
    [InlineData("stripe", "DELETE", "/v1/webhook_endpoints/we_%ff%fe%22%3Cx%3E", null, "", 404)]
    [InlineData("stripe", "GET", "/v1/billing/meters/mtr_missing/event_summaries?customer[x]=1&start_time=99999999999999999999&end_time=-1", null, "", 404)]
    [InlineData("stripe", "POST", "/v1/prices", Form, "currency=usd&unit_amount=1&product=prod_HarnessPro&recurring[interval]=month&recurring[usage_type]=metered&recurring[meter][x]=1", 400)]
    [InlineData("creem", "POST", "/v1/checkouts", Json, """{"product_id":"prod_HarnessOneTime","product_id":"prod_HarnessMonthly"}""", 400)]
    [InlineData("creem", "POST", "/v1/checkouts", Json, "{\"product_id\":\"\u00FF\u00FE\"}", 400)]
    [InlineData("creem", "POST", "/v1/checkouts", Json, """{"product_id":"prod_HarnessOneTime","request_id":"\ud800"}""", 400)]
    [InlineData("creem", "POST", "/v1/checkouts", Json, """{"product_id":"prod_HarnessOneTime","metadata":{"\udc00":"v"}}""", 400)]
    [InlineData("creem", "POST", "/v1/subscriptions/sub_missing", Json, """{"items":[{"product_id":{"x":1},"units":1e400},null,[]]}""", 400)]
    [InlineData("creem", "POST", "/v1/subscriptions/sub_missing", Json, """{"items":[{"id":"\ud800","units":9223372036854775807}]}""", 400)]
    [InlineData("creem", "POST", "/v1/subscriptions/sub_missing", Json, """{"items":[{"product_id":"prod_HarnessProMonthly","units":2}]}""", 404)]
    [InlineData("epay", "POST", "/mapi.php", "multipart/form-data", "x", 200)]
    [InlineData("epay", "POST", "/api.php", Form, "act=order&k=%00", 200)]
    [InlineData("epay", "GET", "/submit.php", "multipart/form-data; boundary=" + LongBoundary, "--" + LongBoundary, 400)]
    [InlineData("control", "POST", "/pay/nothing", "multipart/form-data", "x", 400)]
    [InlineData("control", "POST", "/billing_portal/p/session/bps_nothing/test_x", "multipart/form-data", "x", 400)]
    [InlineData("control", "POST", "/billing_portal/p/session/bps_nothing/test_x", "application/x-www-form-urlencoded", "token[x]=1&action[y]=x", 404)]
    [InlineData("wechatpay", "POST", "/v3/pay/transactions/native", Json, "{\"appid\":\"\u00FF\u00FE\"}", 400)]
    [InlineData("wechatpay", "POST", "/v3/pay/transactions/native", Json, """{"description":"\ud800"}""", 400)]
    [InlineData("wechatpay", "POST", "/v3/pay/transactions/native", Json, """{"amount":{"total":1e400}}""", 400)]
    [InlineData("wechatpay", "POST", "/v3/refund/domestic/refunds", Json, """{"out_refund_no":"r1","out_trade_no":"o1","amount":{"refund":9223372036854775807,"total":1}}""", 400)]
    [InlineData("wechatpay", "GET", "/v3/pay/transactions/out-trade-no/x", null, "", 400)]
    [InlineData("wechatpay", "POST", "/v3/pay/partner/transactions/jsapi", Json, """{"sp_appid":"wxd678efh567hg6787","sp_mchid":"1900000109","sub_mchid":"1900000110","payer":{"sub_openid":"\ud800"}}""", 400)]
    [InlineData("wechatpay", "POST", "/v3/pay/partner/transactions/native", Json, """{"sub_mchid":["1900000110"],"amount":{"total":1e400}}""", 400)]
    [InlineData("wechatpay", "POST", "/v3/pay/partner/transactions/out-trade-no/x/close", Json, """{"sp_mchid":"1900000109","sub_mchid":{"\udc00":1}}""", 400)]
    [InlineData("wechatpay", "GET", "/v3/pay/partner/transactions/id/x?sp_mchid=1900000109&sub_mchid=%00", null, "", 403)]
    [InlineData("wechatpay", "POST", "/v3/combine-transactions/jsapi", Json, """{"combine_appid":"wxd678efh567hg6787","combine_mchid":"1900000109","combine_out_trade_no":"c1","notify_url":"https://m.test/n","combine_payer_info":{"openid":"o"},"sub_orders":[{"mchid":"1900000109","attach":"a","amount":{"total_amount":1e400,"currency":"CNY"},"out_trade_no":"s1","description":"d"}]}""", 400)]
    [InlineData("wechatpay", "POST", "/v3/combine-transactions/native", Json, """{"combine_appid":"wxd678efh567hg6787","combine_mchid":"1900000109","combine_out_trade_no":"c1","notify_url":"https://m.test/n","sub_orders":[null,1,[],{"\udc00":1}]}""", 400)]
    [InlineData("wechatpay", "POST", "/v3/combine-transactions/app", Json, """{"combine_appid":"wxd678efh567hg6787","combine_mchid":"1900000109","combine_out_trade_no":"c1","notify_url":"https://m.test/n","sub_orders":[{"mchid":"1900000109","attach":"a","amount":{"total_amount":1,"currency":"CNY"},"out_trade_no":"s1","description":"d","settle_info":{"subsidy_amount":1e400}}]}""", 400)]
    [InlineData("wechatpay", "POST", "/v3/combine-transactions/h5", Json, """{"sub_orders":{"mchid":"1900000109"},"scene_info":[]}""", 400)]
    [InlineData("wechatpay", "GET", "/v3/combine-transactions/out-trade-no/%27%22%3C%3E%E4%B8%AD", null, "", 404)]
    [InlineData("wechatpay", "POST", "/v3/combine-transactions/out-trade-no/x/close", Json, """{"combine_appid":"wxd678efh567hg6787","sub_orders":[{"mchid":{"\ud800":1},"out_trade_no":7}]}""", 400)]
    [InlineData("wechatpay", "POST", "/v3/combine-transactions/out-trade-no/x/close", Json, """{"combine_appid":"wxd678efh567hg6787","sub_orders":[{"mchid":"1900000109","out_trade_no":"x_a"}]}""", 404)]
    [InlineData("wechatpay", "POST", "/v3/profitsharing/receivers/add", Json, """{"appid":"wxd678efh567hg6787","type":"MERCHANT_ID","account":"1900000200","name":"\ud800","relation_type":"PARTNER"}""", 400)]
    [InlineData("wechatpay", "POST", "/v3/profitsharing/orders", Json, """{"appid":"wxd678efh567hg6787","transaction_id":"4200","out_order_no":"s1","receivers":[{"type":"MERCHANT_ID","account":"1","amount":1e400,"description":"d"}],"unfreeze_unsplit":false}""", 400)]
    [InlineData("wechatpay", "POST", "/v3/profitsharing/orders", Json, """{"appid":"wxd678efh567hg6787","transaction_id":"4200","out_order_no":"s1","receivers":[null],"unfreeze_unsplit":"yes"}""", 400)]
    [InlineData("wechatpay", "POST", "/v3/profitsharing/return-orders", Json, """{"out_order_no":"s1","out_return_no":"r1","return_mchid":"1900000200","amount":9223372036854775807,"description":"d"}""", 400)]
    [InlineData("wechatpay", "GET", "/v3/profitsharing/orders/s1", null, "", 400)]
    [InlineData("wechatpay", "POST", "/v3/profitsharing/receivers/add", Json, """{"sub_mchid":"1900000110","appid":"wxd678efh567hg6787","sub_appid":"wx8888888888888888","type":"PERSONAL_SUB_OPENID","account":"\ud800","relation_type":"PARTNER"}""", 400)]
    [InlineData("wechatpay", "POST", "/v3/profitsharing/orders", Json, """{"sub_mchid":["1900000110"],"transaction_id":"4200","out_order_no":"s1","receivers":[],"unfreeze_unsplit":false}""", 400)]
    [InlineData("wechatpay", "POST", "/v3/profitsharing/return-orders", Json, """{"sub_mchid":{"\udc00":1},"out_order_no":"s1","out_return_no":"r1","return_mchid":"1900000200","amount":1,"description":"d"}""", 400)]
    [InlineData("wechatpay", "GET", "/v3/profitsharing/orders/s1?sub_mchid=%00&transaction_id=4200", null, "", 403)]
    [InlineData("wechatpay", "GET", "/v3/profitsharing/merchant-configs/%E2%80%AE1900000110", null, "", 403)]
    [InlineData("wechatpay", "GET", "/v3/bill/tradebill?bill_date=2026-11-22&sub_mchid=%00", null, "", 403)]
    [InlineData("wechatpay", "POST", "/v3/fund-app/mch-transfer/transfer-bills", Json, """{"appid":"wxd678efh567hg6787","out_bill_no":"t1","transfer_scene_id":"1000","openid":"o1","transfer_amount":1e400,"transfer_remark":"r","transfer_scene_report_infos":[{"info_type":"a","info_content":"b"}]}""", 400)]
    [InlineData("wechatpay", "POST", "/v3/fund-app/mch-transfer/transfer-bills", Json, """{"transfer_scene_report_infos":[[]]}""", 400)]
    [InlineData("wechatpay", "POST", "/sandbox/request-merchant-transfer", Json, """{"mchId":"\ud800","appId":"a","package":"p","action":"confirm"}""", 400)]
    [InlineData("wechatpay", "POST", "/sandbox/request-merchant-transfer", Json, """{"mchId":1,"appId":"a","package":"p","action":"confirm"}""", 400)]
    [InlineData("wechatpay", "GET", "/v3/no/such/route", null, "", 404)]
    [InlineData("alipay", "POST", "/gateway.do", Form, "method=alipay.trade.order.settle&biz_content=%7B%22royalty_parameters%22%3A%5B%5B%5D%5D%7D", 200)]
    [InlineData("alipay", "POST", "/gateway.do", Form, "method=alipay.trade.royalty.relation.bind&biz_content=%7B%22receiver_list%22%3A%5B1e400%5D%7D", 200)]
    [InlineData("alipay", "POST", "/v3/alipay/trade/order/settle", Json, """{"royalty_parameters":[[]],"extend_params":"\ud800"}""", 401)]
    [InlineData("alipay", "POST", "/v3/alipay/trade/royalty/relation/bind", Json, "\u00FF", 401)]
    [InlineData("alipay", "POST", "/gateway.do", Form, "method=alipay.trade.create&biz_content=%7B%22agreement_sign_params%22%3A%5B1e400%5D%7D", 200)]
    [InlineData("alipay", "GET", "/v3/alipay/user/agreement/query?agreement_no=%27%22%3C%3E%E4%B8%AD", null, "", 401)]
    [InlineData("alipay", "POST", "/v3/alipay/user/agreement/unsign", Json, """{"agreement_no":["\ud800"]}""", 401)]
    [InlineData("alipay", "POST", "/v3/alipay/user/agreement/transfer", Json, """{"agreement_no":1e400,"period_rule_params":"\udc00"}""", 401)]
    [InlineData("alipay", "POST", "/v3/alipay/user/agreement/executionplan/modify", Json, "\u00FF", 401)]
    [InlineData("alipay", "GET", "/v3/alipay/trade/order/settle/query?settle_no=%E2%80%AE&trade_no=1e400", null, "", 401)]
    [InlineData("alipay", "GET", "/v3/alipay/trade/order/onsettle/query?trade_no=%27%22%3C%3E", null, "", 401)]
    [InlineData("alipay", "GET", "/v3/alipay/trade/royalty/rate/query?out_request_no=%FF%FE", null, "", 401)]
    [InlineData("alipay", "POST", "/v3/alipay/trade/royalty/relation/batchquery", Json, """{"page_num":1e400,"page_size":[]}""", 401)]
    public async Task Hostile_input_is_refused_in_the_listeners_shape(string listener, string method, string path, string? contentType, string body, int status)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var baseUrl = listener == "control" ? sandbox.Server.ControlBaseUrl : sandbox.BaseUrl(listener);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), baseUrl + path);
        if (contentType is not null)
        {
            request.Content = new ByteArrayContent(Encoding.Latin1.GetBytes(body));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var wechat = await WeChatPayTests.WireAsync(sandbox);
        await AuthenticateAsync(request, listener, wechat);
        using var response = await http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.True(status == (int)response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Null(Problem(listener, request, response, text));
    }
}
