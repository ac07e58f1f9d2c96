@provider @alipay @moves-sandbox-clock
Feature: Alipay sandbox — the bill download link (alipay.data.dataservice.bill.downloadurl.query)
  The method takes biz_content {"bill_type":"trade"|"signcustomer","bill_date":"yyyy-MM-dd"|"yyyy-MM"} and answers,
  signed like every answer, bill_download_url: a link on the host the merchant called, open to anyone for 30 seconds,
  to a zip of two CSV files encoded in GBK, "{pid}0156_{date}_业务明细.csv" and "…_业务明细(汇总).csv" for trade
  (账务明细 for signcustomer), each framed by "#" lines: title, account, period, the list's start and end, its totals
  and the export time. A day's bill exists from 09:00 China time the next day, a month's from 09:00 on the 3rd of
  the next month, on the sandbox clock. Today, the current month, the future, a date before 2016 or another format
  is 40002 isv.invalid-parameter; a bill not made yet or of a period without trades is 40004 isp.bill_not_exist.

  Background:
    Given the Alipay sandbox and app_id "2021000000000001" with the published keys

  Scenario: A day's trade bill is a zip of two GBK files listing the payment and the refund
    Given a paid trade of "10.00"
    And the merchant refunds "3.00" with out_request_no "BILL_R1"
    When the sandbox clock reaches 09:00 China time the next day
    And the merchant asks for the "trade" bill of that day
    Then Alipay answers code "10000" with a bill_download_url on the sandbox's host
    When the merchant downloads the bill from that link
    Then the zip holds the "业务明细" and "业务明细(汇总)" files of that day, named and written in GBK
    And the detail file lists the trade's payment of "10.00" and its refund "BILL_R1" of "-3.00" between Alipay's "#" lines

  Scenario: Today's bill, a bad date and a bill not made yet are refused with Alipay's sub_codes
    Given a paid trade of "1.00"
    When the merchant asks for the "trade" bill of today
    Then Alipay answers code "40002" and sub_code "isv.invalid-parameter"
    When the merchant asks for the "trade" bill of "2026/11/23"
    Then Alipay answers code "40002" and sub_code "isv.invalid-parameter"
    When the merchant asks for the "fund" bill of "2026-11-23"
    Then Alipay answers code "40002" and sub_code "isv.invalid-parameter"
    When the sandbox clock reaches 08:00 China time the next day
    And the merchant asks for the "trade" bill of that day
    Then Alipay answers code "40004" and sub_code "isp.bill_not_exist"
