@provider @epay
Feature: Epay sandbox — submit.php, mapi.php, MD5 signatures and notify
  The sandbox speaks the 彩虹易支付 v1 protocol as go-epay uses it, relative to its base URL (default
  http://127.0.0.1:8103). Every request and callback is signed with MD5 over all non-empty parameters except
  sign and sign_type, sorted by key, joined as k=v&k=v, with the merchant key appended; lowercase hex,
  compared exactly. The merchant acknowledges a notify only with the body "success". The query and refund calls
  (api.php?act=order, api.php?act=refund) authenticate with the plain key instead of a signature.

  Background:
    Given the Epay sandbox and merchant pid "1000" with the published key

  Scenario: submit.php sends the browser to the cashier
    When the merchant's page sends a signed order with device "pc" to submit.php by GET
    Then the browser is redirected to the sandbox's hosted pay page for a new trade_no

  Scenario: submit.php also accepts a form POST
    When the merchant's page posts a signed order to submit.php
    Then the browser is redirected to the sandbox's hosted pay page
    And the payment is listed with amount 1250 fen and the merchant's out_trade_no

  Scenario: Paying sends a signed GET notify and a signed return redirect
    Given an order of "12.50" placed through submit.php
    When the buyer pays on the hosted page
    Then the notify URL receives a GET whose query has trade_status "TRADE_SUCCESS", money "12.50" and a valid sign
    And the buyer is redirected to the return URL with the same signed parameters

  Scenario: A pid and key of the merchant's own work once registered
    Given the merchant registers a pid and key of its own
    And an order of "12.50" placed through submit.php
    When the buyer pays on the hosted page
    Then the notify URL receives a GET whose query has trade_status "TRADE_SUCCESS", money "12.50" and a valid sign
    And the notify names the merchant's own pid
    And the buyer is redirected to the return URL with the same signed parameters
    And api.php?act=order with the plain key reports status 1

  Scenario: Only the body "success" acknowledges a notify
    Given the merchant answers "ok", then "SUCCESS", then "success"
    When the buyer pays on the hosted page
    And the sandbox clock advances through the Epay retry schedule
    Then the delivery log shows three attempts and only the last one acknowledged

  Scenario: The notify can be sent as a form POST
    Given the Epay notify method is "POST"
    When the buyer pays on the hosted page
    Then the notify URL receives a form POST whose fields carry a valid sign

  Scenario: mapi.php creates an order and api.php reports it
    When the merchant posts a signed order to mapi.php
    Then the answer has code 1, a trade_no and a payurl to the hosted pay page
    And api.php?act=order with the plain key reports status 0
    And after the buyer pays, api.php?act=order reports status 1 and the money "3.00"

  Scenario: mapi.php answers a qrcode instead of a payurl when the merchant's setting asks for it
    Given the Epay mapi.php answer form is "qrcode"
    When the merchant posts a signed order to mapi.php
    Then the answer has code 1, a trade_no and a qrcode the hosted pay page draws, and no payurl
    And after the buyer pays, api.php?act=order reports status 1 and the money "3.00"

  Scenario: mapi.php answers a WeChat urlscheme instead of a payurl when the merchant's setting asks for it
    Given the Epay mapi.php answer form is "urlscheme"
    When the merchant posts a signed order to mapi.php
    Then the answer has code 1, a trade_no and a WeChat mini-program urlscheme the hosted pay page shows, and no payurl
    And after the buyer pays, api.php?act=order reports status 1 and the money "3.00"
    And the notify URL receives a GET whose query has trade_status "TRADE_SUCCESS", money "3.00" and a valid sign

  Scenario Outline: Bad orders get code -1 and a message
    When the merchant posts an order to mapi.php with <problem>
    Then the answer has code -1 and msg "<msg>"

    Examples:
      | problem                                    | msg                   |
      | a wrong sign                               | 签名校验失败          |
      | an uppercase sign                          | 签名校验失败          |
      | an unknown pid                             | 商户不存在            |
      | money "-1"                                 | 金额不合法            |
      | no out_trade_no                            | 缺少参数 out_trade_no |
      | notify_url "ftp://merchant.example/notify" | notify_url 不合法     |
      | notify_url "mailto:ops@merchant.example"   | notify_url 不合法     |
      | return_url "file:///etc/passwd"            | return_url 不合法     |

  Scenario: The query API needs the plain key
    When api.php?act=order is called with a wrong key
    Then the answer has code -1

  Scenario: api.php?act=refund refunds part of a paid order with the plain key
    Given an order of "12.50" placed through submit.php
    And the buyer pays on the hosted page
    When the merchant refunds "5.00" of it through api.php?act=refund with the plain key
    Then the answer has code 1
    And api.php?act=order reports the refunded money "5.00"

  Scenario: A refund needs the plain key and a paid order, and cannot exceed what was paid
    Given an order of "12.50" placed through submit.php
    When the merchant refunds "1.00" of it through api.php?act=refund with the plain key
    Then the answer has code -1 and msg "订单未支付"
    When the buyer pays on the hosted page
    And the merchant refunds "1.00" of it through api.php?act=refund with a wrong key
    Then the answer has code -1 and msg "KEY校验失败"
    When the merchant refunds "12.51" of it through api.php?act=refund with the plain key
    Then the answer has code -1 and msg "退款金额超出订单金额"
