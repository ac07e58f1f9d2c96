@provider @wechat
Feature: WeChat Pay sandbox — 合单支付 (combine payments)
  A merchant places a 合单 at /v3/combine-transactions/{jsapi,app,h5,native}: combine_appid and combine_mchid its own,
  a combine_out_trade_no, and 1 to 50 sub_orders, each a merchant's order (mchid, out_trade_no, amount.total_amount and
  currency CNY, description, attach, settle_info), for a bound sub-merchant (sub_mchid) in 服务商 mode. It answers as
  the single-order route of its trade type (prepay_id, h5_url or code_url) and is one payment: the buyer pays every
  sub-order at once, each gets its own transaction_id, and one TRANSACTION.SUCCESS notification in the 合单 shape goes
  to notify_url. It is queried at /v3/combine-transactions/out-trade-no/{combine_out_trade_no} and closed whole (the
  close names every sub-order placed); its sub-orders are not found by the ordinary query or close, but are refunded
  through /v3/refund/domestic/refunds by their out_trade_no like any order.

  Background:
    Given the WeChat Pay sandbox and its published merchant credentials

  Scenario: A JSAPI 合单 is paid at once, notified once in the 合单 shape, and its sub-orders are refunded as orders
    When the merchant places a "JSAPI" 合单 "wx_conf_combine" of sub-orders "wx_conf_combine_a" for 1000 fen and "wx_conf_combine_b" for 234 fen
    Then the answer is 200 with a prepay_id of the form "wx", 14 digits of China time and 20 hex characters
    And the answer is 200 and the 合单 is one payment of 1234 fen on the hosted pay page
    And querying 合单 "wx_conf_combine" shows every sub-order "NOTPAY"
    When the buyer pays on the hosted page
    Then the notify URL receives a "TRANSACTION.SUCCESS" POST whose Wechatpay-Signature verifies with the platform certificate
    And its resource decrypts to 合单 "wx_conf_combine" with every sub-order "SUCCESS" and a transaction_id of its own
    And querying 合单 "wx_conf_combine" shows every sub-order "SUCCESS"
    When the merchant queries "wx_conf_combine_a" by out_trade_no
    Then the answer is 404 with code "ORDER_NOT_EXIST"
    When the merchant refunds 400 fen of sub-order "wx_conf_combine_a" of 1000 fen as "wx_conf_combine_r1"
    Then the answer is 200 with refund status "PROCESSING" and amount.refund 400
    And the notify URL receives a "REFUND.SUCCESS" POST whose resource decrypts to refund_status "SUCCESS" and amount.refund 400

  Scenario: A 合单 closes whole, only when the close names every sub-order, and a paid one cannot be closed
    Given a Native 合单 "wx_conf_cclose" of sub-orders "wx_conf_cclose_a" for 100 fen and "wx_conf_cclose_b" for 200 fen
    When the merchant closes 合单 "wx_conf_cclose" naming sub-order "wx_conf_cclose_a"
    Then the answer is 400 with code "INVALID_REQUEST"
    When the merchant closes 合单 "wx_conf_cclose" naming sub-orders "wx_conf_cclose_a" and "wx_conf_cclose_b"
    Then the answer is 204 with an empty body
    And querying 合单 "wx_conf_cclose" shows every sub-order "CLOSED"
    Given a Native 合单 "wx_conf_cpaid" of sub-orders "wx_conf_cpaid_a" for 100 fen and "wx_conf_cpaid_b" for 200 fen
    When the buyer pays on the hosted page
    And the merchant closes 合单 "wx_conf_cpaid" naming sub-orders "wx_conf_cpaid_a" and "wx_conf_cpaid_b"
    Then the answer is 403 with code "ORDERPAID"

  Scenario: In 服务商 mode a sub-order names a sub_mchid the 服务商 is bound to
    When the merchant places a Native 合单 "wx_conf_cpartner" of sub-order "wx_conf_cpartner_a" for 100 fen for sub-merchant "1900009999"
    Then the answer is 403 with code "NO_AUTH"
    When the merchant places a Native 合单 "wx_conf_cpartner" of sub-order "wx_conf_cpartner_a" for 100 fen for sub-merchant "1900000110"
    Then the answer is 200 and the 合单 is one payment of 100 fen on the hosted pay page
