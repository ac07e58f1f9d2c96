@provider @wechat @moves-sandbox-clock
Feature: WeChat Pay sandbox — trade and fund-flow bills
  GET /v3/bill/tradebill?bill_date=yyyy-MM-dd[&bill_type=ALL|SUCCESS|REFUND][&tar_type=GZIP] and
  GET /v3/bill/fundflowbill?bill_date=…[&account_type=BASIC|OPERATION|FEES] are signed like every request and answer
  {"hash_type":"SHA1","hash_value":…,"download_url":…}: the SHA1 of the bill as a file (uncompressed, even when it
  is downloaded gzipped) and a link with a token on the host the merchant called, valid five minutes. The link is
  fetched with a signed GET and answers the file without WeChat's signature headers. A bill is UTF-8 CSV with a
  byte-order mark: a header of Chinese column names, one row per payment or refund of that China day with every
  value behind a backtick, then the summary header and row. The sandbox's fee is 0.60% of a payment, rounded to the
  fen; a refund gives back its share. A day's bills exist from 10:00 China time the next day on the sandbox clock,
  for three months.

  Background:
    Given the WeChat Pay sandbox and its published merchant credentials

  Scenario: A day's trade bill lists its payment and refund with their fees, and the file matches the announced SHA1
    Given a Native order of 2500 fen placed as "wx_bill_paid" and paid
    And the merchant has refunded 500 fen of "wx_bill_paid" as "wx_bill_refund"
    When the sandbox clock reaches 10:00 China time the next day
    And the merchant applies for the "ALL" trade bill of that day
    Then the answer is 200 with hash_type "SHA1" and a download_url on the sandbox's host
    When the merchant downloads the bill with a signed GET
    Then the file comes without WeChat's signature headers, and its SHA1 is the announced hash_value
    And the bill has WeChat's 27 trade columns and ends with the summary header "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
    And the bill lists "wx_bill_paid" as "SUCCESS" with order amount "25.00", fee "0.15000" and rate "0.60%"
    And the bill lists refund "wx_bill_refund" of "wx_bill_paid" as "REFUND" with refund amount "5.00" and fee "-0.03000"

  Scenario: Only refunds that succeeded are in the trade bill: an abnormal and a closed one are not
    Given a Native order of 10000 fen placed as "wx_bill_outcomes" and paid
    And WeChat Pay ends the merchant's refunds "ABNORMAL"
    And the merchant has refunded 1000 fen of "wx_bill_outcomes" as "wx_bill_abnormal"
    And WeChat Pay ends the merchant's refunds "CLOSED"
    And the merchant has refunded 2000 fen of "wx_bill_outcomes" as "wx_bill_closed"
    And WeChat Pay ends the merchant's refunds "SUCCESS"
    And the merchant has refunded 3000 fen of "wx_bill_outcomes" as "wx_bill_success"
    When the sandbox clock reaches 10:00 China time the next day
    And the merchant applies for the "ALL" trade bill of that day
    Then the answer is 200 with hash_type "SHA1" and a download_url on the sandbox's host
    When the merchant downloads the bill with a signed GET
    Then the bill lists refund "wx_bill_success" of "wx_bill_outcomes" as "REFUND" with refund amount "30.00" and fee "-0.18000"
    And the bill lists no refund "wx_bill_abnormal"
    And the bill lists no refund "wx_bill_closed"

  Scenario: The fund-flow bill credits the payment and debits its fee and the refund, and other accounts have none
    Given a Native order of 1000 fen placed as "wx_bill_fund" and paid
    And the merchant has refunded 1000 fen of "wx_bill_fund" as "wx_bill_fund_refund"
    When the sandbox clock reaches 10:00 China time the next day
    And the merchant applies for the "BASIC" fund-flow bill of that day
    Then the answer is 200 with hash_type "SHA1" and a download_url on the sandbox's host
    When the merchant downloads the bill with a signed GET
    Then the file comes without WeChat's signature headers, and its SHA1 is the announced hash_value
    And the fund-flow bill lists for "wx_bill_fund" a "交易" "收入" of "10.00", a "扣除交易手续费" "支出" of "0.06" and a "退款" "支出" of "9.94"
    When the merchant applies for the "OPERATION" fund-flow bill of that day
    Then the answer is 400 with code "NO_STATEMENT_EXIST"
    When the merchant applies for the "RECHARGE_REFUND" trade bill of that day
    Then the answer is 400 with code "NO_STATEMENT_EXIST"

  Scenario: A day's bill is being made until 10:00 the next morning, and today's is refused
    Given a Native order of 100 fen placed as "wx_bill_early" and paid
    When the sandbox clock reaches 09:00 China time the next day
    And the merchant applies for the "ALL" trade bill of that day
    Then the answer is 400 with code "STATEMENT_CREATING"
    When the merchant applies for the "ALL" trade bill of today
    Then the answer is 400 with code "INVALID_REQUEST"
    When the sandbox clock reaches 10:00 China time
    And the merchant applies for the "ALL" trade bill of that day
    Then the answer is 200 with hash_type "SHA1" and a download_url on the sandbox's host

  Scenario Outline: A bill asked for with a bad parameter is refused with 400 PARAM_ERROR naming it
    When the merchant applies for a trade bill with the query "<query>"
    Then the answer is 400 with code "PARAM_ERROR" and detail naming "<field>"

    Examples:
      | query                                   | field     |
      |                                         | bill_date |
      | bill_date=2026-13-01                    | bill_date |
      | bill_date=20261123                      | bill_date |
      | bill_date=2026-11-23&bill_type=WEEKLY   | bill_type |
      | bill_date=2026-11-23&tar_type=ZIP       | tar_type  |
