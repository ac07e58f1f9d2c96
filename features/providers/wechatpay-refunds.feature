@provider @wechat
Feature: WeChat Pay sandbox — refunds that take time, and the outcome of one refund
  WeChat refunds to a bank card in one to three working days: the refund answers PROCESSING, the query keeps
  answering PROCESSING without success_time, and the notification comes when the bank is done. The sandbox's setting
  refund_processing_seconds keeps every refund applied for while it is set PROCESSING that long on the sandbox clock;
  the amount is out of the order meanwhile. Each refund ends with the refund_outcome set when it was applied for,
  unless the operator ends it first: POST /control/wechatpay/refunds/{out_refund_no}/outcome {"status": "SUCCESS" |
  "ABNORMAL" | "CLOSED"} ends that refund now, with its notification, and no other.

  Background:
    Given the WeChat Pay sandbox and its published merchant credentials

  Scenario: A refund kept PROCESSING holds its amount, and succeeds with REFUND.SUCCESS once its time has passed
    Given WeChat Pay keeps the merchant's refunds PROCESSING for 7200 seconds
    And a Native order of 1000 fen placed as "wx_conf_slow" and paid
    When the merchant refunds 400 fen of "wx_conf_slow" as "wx_refund_slow"
    Then the answer is 200 with refund status "PROCESSING" and amount.refund 400
    And querying refund "wx_refund_slow" shows status "PROCESSING" without success_time
    And no refund notification has reached the notify URL
    And querying "wx_conf_slow" by out_trade_no shows trade_state "REFUND"
    When the merchant refunds 601 fen of "wx_conf_slow" as "wx_refund_slow_more"
    Then the answer is 400 with code "INVALID_REQUEST"
    When the sandbox clock advances by 2 hours
    Then the notify URL receives a "REFUND.SUCCESS" POST whose resource decrypts to refund_status "SUCCESS" and amount.refund 400
    And querying refund "wx_refund_slow" shows status "SUCCESS"

  Scenario: The operator ends one processing refund now with the outcome chosen, and the other keeps its own
    Given WeChat Pay keeps the merchant's refunds PROCESSING for 7200 seconds
    And a Native order of 1000 fen placed as "wx_conf_chosen" and paid
    When the merchant refunds 400 fen of "wx_conf_chosen" as "wx_refund_chosen"
    And the merchant refunds 100 fen of "wx_conf_chosen" as "wx_refund_kept"
    And the operator ends refund "wx_refund_chosen" as "CLOSED" through the control API
    Then the control API answers 200 with refund "wx_refund_chosen" "CLOSED"
    And the notify URL receives a "REFUND.CLOSED" POST whose resource decrypts to refund_status "CLOSED" and amount.refund 400
    And querying refund "wx_refund_kept" shows status "PROCESSING" without success_time
    And ending refund "wx_refund_chosen" as "SUCCESS" through the control API is refused with 400
    And ending refund "wx_refund_unknown" as "SUCCESS" through the control API is refused with 404
    When the sandbox clock advances by 2 hours
    Then the notify URL receives a "REFUND.SUCCESS" POST whose resource decrypts to refund_status "SUCCESS" and amount.refund 100
    And querying refund "wx_refund_kept" shows status "SUCCESS"
