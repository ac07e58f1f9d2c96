@provider @wechat
Feature: WeChat Pay sandbox — 分账 (profit sharing) for an ordinary merchant
  An order placed with settle_info.profit_sharing true stays frozen once paid. The merchant adds its receivers
  (/v3/profitsharing/receivers/add, a merchant's name encrypted for WeChat Pay), shares part of the order to them
  (/v3/profitsharing/orders: answered PROCESSING with every receiver PENDING, then FINISHED), at most its maximum
  ratio (30% unless the profit_sharing_max_ratio setting says less), and unfreezes the rest to itself. A share to a
  merchant receiver can be returned (/v3/profitsharing/return-orders) up to what it received, and a refund of an order
  still frozen may take no more than what is left unsplit.

  Background:
    Given the WeChat Pay sandbox and its published merchant credentials
    And the merchant adds the merchant receiver "1900000200" named "示例合作商户有限公司", encrypted for the platform certificate

  Scenario: A share within the ratio is PROCESSING, then FINISHED, and unfreezing gives the merchant the rest
    Given a Native order of 1000 fen placed for profit sharing as "wx_share_order_1" and paid
    When the merchant shares 300 fen of "wx_share_order_1" to receiver "1900000200" as "wx_share_1"
    Then the answer is 200 with sharing state "PROCESSING" and every receiver "PENDING"
    And querying sharing "wx_share_1" of "wx_share_order_1" shows state "FINISHED" and receiver "1900000200" "SUCCESS"
    And the unsplit amount of "wx_share_order_1" is 700
    When the merchant shares 1 fen of "wx_share_order_1" to receiver "1900000200" as "wx_share_2"
    Then the answer is 400 with code "INVALID_REQUEST"
    When the merchant unfreezes the rest of "wx_share_order_1" as "wx_unfreeze_1"
    Then the answer is 200 with sharing state "PROCESSING" and every receiver "PENDING"
    And querying sharing "wx_unfreeze_1" of "wx_share_order_1" shows state "FINISHED" and receiver "1900000109" "SUCCESS"
    And the unsplit amount of "wx_share_order_1" is 0

  Scenario: Receivers never added, orders not placed for sharing and the abnormal test receiver
    Given a Native order of 1000 fen placed for profit sharing as "wx_share_order_2" and paid
    When the merchant shares 100 fen of "wx_share_order_2" to receiver "1900000201" as "wx_share_unknown"
    Then the answer is 400 with code "INVALID_REQUEST"
    Given a Native order of 1000 fen placed as "wx_share_plain" and paid
    When the merchant shares 100 fen of "wx_share_plain" to receiver "1900000200" as "wx_share_plain_1"
    Then the answer is 400 with code "INVALID_REQUEST"
    Given the merchant adds the merchant receiver "1900009999" named "异常测试商户", encrypted for the platform certificate
    When the merchant shares 100 fen of "wx_share_order_2" to receiver "1900009999" as "wx_share_abnormal"
    Then the answer is 200 with sharing state "PROCESSING" and every receiver "PENDING"
    And querying sharing "wx_share_abnormal" of "wx_share_order_2" shows state "FINISHED" and receiver "1900009999" "CLOSED"
    And the unsplit amount of "wx_share_order_2" is 1000

  Scenario: A merchant receiver's share is returned up to what it received, and a frozen order's refund waits
    Given a Native order of 1000 fen placed for profit sharing as "wx_share_order_3" and paid
    When the merchant shares 200 fen of "wx_share_order_3" to receiver "1900000200" as "wx_share_r"
    And the merchant returns 150 fen of sharing "wx_share_r" from "1900000200" as "wx_return_1"
    Then the answer is 200 with return result "SUCCESS" and amount 150
    When the merchant returns 51 fen of sharing "wx_share_r" from "1900000200" as "wx_return_2"
    Then the answer is 400 with code "INVALID_REQUEST"
    When the merchant refunds 801 fen of "wx_share_order_3" as "wx_share_refund_over"
    Then the answer is 403 with code "RULE_LIMIT"
    When the merchant refunds 800 fen of "wx_share_order_3" as "wx_share_refund"
    Then the answer is 200 with refund status "PROCESSING" and amount.refund 800
    And the unsplit amount of "wx_share_order_3" is 0

  @moves-sandbox-clock
  Scenario: The 分账 bill lists the day's successful shares and returns behind the bill download link
    Given a Native order of 1000 fen placed for profit sharing as "wx_share_order_bill" and paid
    When the merchant shares 250 fen of "wx_share_order_bill" to receiver "1900000200" as "wx_share_bill"
    And the merchant returns 100 fen of sharing "wx_share_bill" from "1900000200" as "wx_return_bill"
    And the sandbox clock reaches 10:00 China time the next day
    And the merchant applies for the 分账 bill of that day
    Then the answer is 200 with hash_type "SHA1" and a download_url on the sandbox's host
    When the merchant downloads the bill with a signed GET
    Then the file comes without WeChat's signature headers, and its SHA1 is the announced hash_value
    And the bill lists a "分账" of "2.50" yuan to "1900000200" for "wx_share_bill"
    And the bill lists a "分账回退" of "1.00" yuan to "1900000200" for "wx_return_bill"

  @moves-sandbox-clock
  Scenario: A return asked to stay PROCESSING succeeds an hour later, and one asked to fail ends FAILED with its reason
    Given a Native order of 1000 fen placed for profit sharing as "wx_share_order_slow" and paid
    When the merchant shares 200 fen of "wx_share_order_slow" to receiver "1900000200" as "wx_share_slow"
    And the merchant returns 150 fen of sharing "wx_share_slow" from "1900000200" as "PROCESSING_wx_1"
    Then the answer is 200 with return result "PROCESSING" and amount 150
    When the merchant returns 51 fen of sharing "wx_share_slow" from "1900000200" as "wx_return_held"
    Then the answer is 400 with code "INVALID_REQUEST"
    When the sandbox clock advances by 1 hour
    And the merchant queries return "PROCESSING_wx_1" of sharing "wx_share_slow"
    Then the answer is 200 with return result "SUCCESS" and amount 150
    When the merchant returns 50 fen of sharing "wx_share_slow" from "1900000200" as "FAILED_ACCOUNT_ABNORMAL_wx_1"
    Then the answer is 200 with return result "PROCESSING" and amount 50
    When the sandbox clock advances by 1 hour
    And the merchant queries return "FAILED_ACCOUNT_ABNORMAL_wx_1" of sharing "wx_share_slow"
    Then the answer is 200 with return result "FAILED" and fail_reason "ACCOUNT_ABNORMAL"
