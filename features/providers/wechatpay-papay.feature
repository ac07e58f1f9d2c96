@provider @wechat
Feature: WeChat Pay sandbox — 委托代扣 (papay), a contract the user signs once and the merchant deducts on each period
  POST /v3/papay/sign/contracts/pre-entrust-sign (plan_id 12535, the sandbox's template) answers a pre_entrustweb_id,
  and for the QR-code scene a redirect_url: the sandbox's signing page, where the user signs. Signing sends
  ENTRUST.SIGN to contract_notify_url, the contract (contract_state SIGNED, its contract_id) encrypted with the APIv3
  key. POST /v3/papay/pay/transactions/apply deducts on the contract: a PAP transaction told by TRANSACTION.SUCCESS
  (TRANSACTION.FAIL, trade_state PAY_FAIL, for an amount ending 2222, the user's balance short), queried and refunded
  like any order. 解约 sends ENTRUST.TERMINATE, and the contract cannot be charged any more. 预约扣费: a contract
  signed with deduct_schedule is booked the day before (POST /v3/papay/pay/schedules/contract-id/{contract_id}/schedule),
  deducted on its date and then ended; 扣费预通知 (POST /v3/papay/contracts/{contract_id}/notify) opens a deduction
  after two waiting days, and after a failed one the 重试扣费通知 (…/fail-notify) reminds the user. A 服务商 signs,
  deducts and terminates a sub-merchant's contract on the partner routes (/v3/papay/…/partner/…), named by sub_mchid.

  Background:
    Given the WeChat Pay sandbox and its published merchant credentials

  Scenario: The user signs on the signing page and the merchant deducts, queries and refunds the period
    When the merchant asks to sign contract "wxVip1001" with the QR-code scene
    Then the answer is 200 with a pre_entrustweb_id and a redirect_url to the signing page
    When the user signs contract "wxVip1001" on the signing page
    Then the contract notify URL receives "ENTRUST.SIGN" for "wxVip1001" whose resource decrypts to contract_state "SIGNED"
    And querying contract "wxVip1001" shows contract_state "SIGNED"
    When the merchant deducts 1500 fen on contract "wxVip1001" as "wxVipRenew1001"
    Then the answer is 200 with out_trade_no "wxVipRenew1001" and amount 1500
    And the notify URL receives a "TRANSACTION.SUCCESS" POST whose resource decrypts to trade_type "PAP"
    And querying "wxVipRenew1001" by out_trade_no shows trade_type "PAP"
    When the merchant refunds 500 fen of "wxVipRenew1001" as "wxVipRefund1001"
    Then the answer is 200 with refund status "PROCESSING" received by "支付用户零钱"
    When the merchant deducts 1600 fen on contract "wxVip1001" as "wxVipRenew1001"
    Then the answer is 403 with code "ORDERPAID"

  Scenario: A deduction the balance cannot cover fails, and a terminated contract is not charged
    When the merchant asks to sign contract "wxVip2001" with the QR-code scene
    And the user signs contract "wxVip2001" on the signing page
    Then the contract notify URL receives "ENTRUST.SIGN" for "wxVip2001" whose resource decrypts to contract_state "SIGNED"
    When the merchant deducts 2222 fen on contract "wxVip2001" as "wxVipFail2001"
    Then the answer is 200 with out_trade_no "wxVipFail2001" and amount 2222
    And the notify URL receives TRANSACTION.FAIL for "wxVipFail2001" whose resource decrypts to trade_state "PAY_FAIL"
    When the merchant terminates contract "wxVip2001"
    Then the answer is 200 with contract_state "TERMINATED" terminated by "MCH_API_TERMINATE"
    And the contract notify URL receives "ENTRUST.TERMINATE" for "wxVip2001" whose resource decrypts to contract_state "TERMINATED"
    And querying contract "wxVip2001" shows contract_state "TERMINATED"
    When the merchant deducts 1500 fen on contract "wxVip2001" as "wxVipRenew2002"
    Then the answer is 400 with code "INVALID_REQUEST"

  @moves-sandbox-clock
  Scenario: A 预约扣费 contract signed for one deduction is booked the day before, deducted on the day and then ends
    When the merchant asks to sign contract "wxTicket3001" for one deduction of 3000 fen two days ahead
    And the user signs contract "wxTicket3001" on the signing page
    Then the contract notify URL receives "ENTRUST.SIGN" for "wxTicket3001" whose resource decrypts to contract_state "SIGNED"
    And querying the schedule of contract "wxTicket3001" shows schedule_state "NO_SCHEDULED"
    When the sandbox clock moves on to 10:00 China time the next day
    And the merchant books the deduction of 2999 fen on contract "wxTicket3001"
    Then the answer is 400 with code "INVALID_REQUEST"
    When the merchant books the deduction of 3000 fen on contract "wxTicket3001"
    Then the answer is 200 with schedule_state "SCHEDULED"
    When the merchant deducts 3000 fen on contract "wxTicket3001" as "wxTicketEarly3001"
    Then the answer is 400 with code "INVALID_REQUEST"
    When the sandbox clock moves on to 10:00 China time the next day
    And the merchant deducts 3000 fen on contract "wxTicket3001" as "wxTicketPay3001"
    Then the answer is 200 with out_trade_no "wxTicketPay3001" and amount 3000
    And the notify URL receives a "TRANSACTION.SUCCESS" POST whose resource decrypts to trade_type "PAP"
    And the contract notify URL receives "ENTRUST.TERMINATE" for "wxTicket3001" whose resource decrypts to contract_state "TERMINATED"
    And querying the schedule of contract "wxTicket3001" shows schedule_state "PAID"

  @moves-sandbox-clock
  Scenario: A 扣费预通知 opens a deduction after the day of the notice and the next
    When the merchant asks to sign contract "wxVip4001" with the QR-code scene
    And the user signs contract "wxVip4001" on the signing page
    Then the contract notify URL receives "ENTRUST.SIGN" for "wxVip4001" whose resource decrypts to contract_state "SIGNED"
    When the sandbox clock moves on to 10:00 China time the next day
    And the merchant notifies the user of a deduction of up to 1500 fen on contract "wxVip4001"
    Then the answer is 204 with an empty body
    When the merchant deducts 1500 fen on contract "wxVip4001" as "wxVipWait4001"
    Then the answer is 400 with code "INVALID_REQUEST"
    When the sandbox clock moves on to 10:00 China time the next day
    And the merchant deducts 1500 fen on contract "wxVip4001" as "wxVipWait4002"
    Then the answer is 400 with code "INVALID_REQUEST"
    When the sandbox clock moves on to 10:00 China time the next day
    And the merchant deducts 1600 fen on contract "wxVip4001" as "wxVipMore4001"
    Then the answer is 400 with code "INVALID_REQUEST"
    When the merchant deducts 1500 fen on contract "wxVip4001" as "wxVipPaid4001"
    Then the answer is 200 with out_trade_no "wxVipPaid4001" and amount 1500

  Scenario: A 服务商 signs a sub-merchant's contract on the mini-program route, deducts, refunds and terminates it
    When the 服务商 asks to sign contract "spVip5001" for sub-merchant "1900000110" with the mini-program route
    Then the answer is 200 with a pre_entrustweb_id and the signing mini-program's redirect_appid and redirect_path
    When the user signs contract "spVip5001" on the signing page
    Then the contract notify URL receives "ENTRUST.SIGN" for "spVip5001" whose resource decrypts to contract_state "SIGNED"
    And the "ENTRUST.SIGN" resource names sp_mchid the merchant's and sub_mchid "1900000110", without mchid
    And the 服务商's query of contract "spVip5001" for sub-merchant "1900000110" shows contract_state "SIGNED"
    When the 服务商 deducts 2500 fen on contract "spVip5001" for sub-merchant "1900000110" as "spVipRenew5001"
    Then the answer is 200 with out_trade_no "spVipRenew5001" and amount 2500
    And the notify URL receives a "TRANSACTION.SUCCESS" POST whose resource decrypts to trade_type "PAP"
    And the "TRANSACTION.SUCCESS" resource names sp_mchid the merchant's and sub_mchid "1900000110", without mchid
    And querying partner order "spVipRenew5001" of sub-merchant "1900000110" shows trade_state "SUCCESS"
    When the merchant refunds 1000 fen of partner order "spVipRenew5001" of sub-merchant "1900000110" as "spVipRefund5001"
    Then the answer is 200 with refund status "PROCESSING" and amount.refund 1000
    When the 服务商 terminates contract "spVip5001" for sub-merchant "1900000110"
    Then the answer is 200 with contract_state "TERMINATED" terminated by "MCH_API_TERMINATE"
    And the contract notify URL receives "ENTRUST.TERMINATE" for "spVip5001" whose resource decrypts to contract_state "TERMINATED"
    When the 服务商 deducts 2500 fen on contract "spVip5001" for sub-merchant "1900000110" as "spVipRenew5002"
    Then the answer is 400 with code "INVALID_REQUEST"

  @moves-sandbox-clock
  Scenario: After a failed deduction in a 扣费预通知 period the 重试扣费通知 reminds the user, and the retry deducts
    When the merchant asks to sign contract "wxVip6001" with the QR-code scene
    And the user signs contract "wxVip6001" on the signing page
    Then the contract notify URL receives "ENTRUST.SIGN" for "wxVip6001" whose resource decrypts to contract_state "SIGNED"
    When the sandbox clock moves on to 10:00 China time the next day
    And the merchant notifies the user of a deduction of up to 2500 fen on contract "wxVip6001"
    Then the answer is 204 with an empty body
    When the merchant sends a 重试扣费通知 on contract "wxVip6001"
    Then the answer is 400 with code "INVALID_REQUEST"
    When the sandbox clock moves on to 10:00 China time the next day
    And the sandbox clock moves on to 10:00 China time the next day
    And the merchant deducts 2222 fen on contract "wxVip6001" as "wxVipShort6001"
    Then the answer is 200 with out_trade_no "wxVipShort6001" and amount 2222
    And the notify URL receives TRANSACTION.FAIL for "wxVipShort6001" whose resource decrypts to trade_state "PAY_FAIL"
    When the merchant sends a 重试扣费通知 on contract "wxVip6001"
    Then the answer is 204 with an empty body
    When the merchant deducts 2500 fen on contract "wxVip6001" as "wxVipRetry6001"
    Then the answer is 200 with out_trade_no "wxVipRetry6001" and amount 2500
