@provider @alipay
Feature: Alipay sandbox — 单笔转账 to an Alipay account and the merchant's balance
  A merchant pays out (withdrawals, rewards) with alipay.fund.trans.uni.transfer (product TRANS_ACCOUNT_NO_PWD,
  scene DIRECT_TRANSFER), looks a transfer up with alipay.fund.trans.common.query and reads its balance with
  alipay.fund.account.query. Alipay serves these only to apps in certificate mode. The balance is a starting float
  plus what paid trades brought in, less refunds and transfers; a transfer still DEALING holds its amount frozen,
  and one that fails gives it back. The sandbox's test payees refuse (2088000000000404: PAYEE_NOT_EXIST) or keep a
  transfer DEALING (2088000000000202) until the control API ends it. Each status a transfer reaches is posted to the
  app's gateway (the webhook_url setting) as the 消息服务 message alipay.fund.trans.order.changed. The scenarios share
  the sandbox, so they check how the balance moves, not its level.

  Background:
    Given the Alipay sandbox and app_id "2021000000000001" with the published keys

  Scenario: A transfer is paid from the merchant's balance, and the same out_biz_no again answers the same transfer
    Given the merchant has read its Alipay balance
    When the merchant transfers "100.00" to Alipay user "2088102177009999" in certificate mode
    Then Alipay answers code "10000" with transfer status "SUCCESS"
    And alipay.fund.trans.common.query reports the transfer "SUCCESS" for "100.00"
    And the Alipay balance has moved by "-100.00" available and "0.00" frozen
    When the merchant sends the same transfer again
    Then Alipay answers the same order_id with transfer status "SUCCESS"
    And the Alipay balance has moved by "-100.00" available and "0.00" frozen

  Scenario: Alipay refuses a transfer from an app in public-key mode and to a payee that does not exist
    When the merchant transfers "1.00" to Alipay user "2088102177009999" in public-key mode
    Then Alipay answers code "40002" and sub_code "isv.missing-app-cert-sn"
    When the merchant transfers "1.00" to Alipay user "2088000000000404" in certificate mode
    Then Alipay answers code "40004" and sub_code "PAYEE_NOT_EXIST"

  Scenario: A transfer still dealing holds its amount until it fails, and the failure gives it back
    Given the merchant has read its Alipay balance
    When the merchant transfers "300.00" to Alipay user "2088000000000202" in certificate mode
    Then Alipay answers code "10000" with transfer status "DEALING"
    And the Alipay balance has moved by "-300.00" available and "300.00" frozen
    When the transfer ends as "FAIL" at Alipay
    Then alipay.fund.trans.common.query reports the transfer "FAIL" with an error_code and a fail_reason
    And the Alipay balance has moved by "0.00" available and "0.00" frozen

  Scenario: Each status a transfer reaches is posted to the app's gateway as alipay.fund.trans.order.changed
    Given Alipay sends its messages to the merchant's receiver
    When the merchant transfers "2.00" to Alipay user "2088000000000202" in certificate mode
    Then Alipay answers code "10000" with transfer status "DEALING"
    When the transfer ends as "SUCCESS" at Alipay
    Then the receiver gets alipay.fund.trans.order.changed for the transfer with status "SUCCESS" and a valid sign
    When the transfer ends as "REFUND" at Alipay
    Then the receiver gets alipay.fund.trans.order.changed for the transfer with status "REFUND" and a valid sign
