@provider @epay @epay-v2
Feature: Epay sandbox — the V2 protocol (/api/pay/*, RSA signatures)
  Current 彩虹易支付 deployments also speak V2: every request is signed SHA256WithRSA with the merchant's private key
  over the non-empty parameters except sign and sign_type, sorted by key, joined as k=v&k=v, and carries a ten-digit
  timestamp; every answer and notify is signed the same way with the platform key, which the merchant verifies
  with the platform public key. Success is code 0; a refusal is HTTP 200 with a non-zero code and a msg. V2 shares
  V1's listener and orders.

  Background:
    Given the Epay sandbox and merchant pid "1000" with the published key

  Scenario: An order created through /api/pay/create is paid and notified with the platform's signature
    When the merchant creates an order of "12.50" through /api/pay/create with method "jump"
    Then the answer has code 0, pay_type "jump" and the platform's signature
    And /api/pay/query reports status 0 in a signed answer
    When the buyer pays on the hosted page
    Then the notify URL receives a GET signed with the platform key, with trade_status "TRADE_SUCCESS" and money "12.50"
    And /api/pay/query reports status 1 in a signed answer

  Scenario: A request signed with another key or with a stale timestamp is refused
    When the merchant creates an order of "3.00" through /api/pay/create with method "jump"
    Then the answer has code 0, pay_type "jump" and the platform's signature
    When the merchant queries it through /api/pay/query with a request signed by another key
    Then the answer has code -1 and msg "签名校验失败"
    When the merchant queries it through /api/pay/query with a timestamp 6 minutes old
    Then the answer has code -1 and msg "时间戳不合法"

  Scenario: A merchant public key of its own, once registered, signs beside the published one
    When the merchant creates an order of "2.00" through /api/pay/create with method "jump"
    Then the answer has code 0, pay_type "jump" and the platform's signature
    When the merchant registers a public key of its own and queries it through /api/pay/query signed with that key
    Then the answer has code 0 and the platform's signature

  Scenario: Refunds are partial and never exceed what was paid
    When the merchant creates an order of "10.00" through /api/pay/create with method "jump"
    Then the answer has code 0, pay_type "jump" and the platform's signature
    When the buyer pays on the hosted page
    And the merchant refunds "4.00" of it through /api/pay/refund
    Then the answer has code 0 and the platform's signature
    When the merchant refunds "6.01" of it through /api/pay/refund
    Then the answer has code -1 and msg "退款金额超出订单金额"
    When the merchant refunds "6.00" of it through /api/pay/refund
    Then the answer has code 0 and the platform's signature
    And /api/pay/query reports status 2 in a signed answer

  Scenario: The merchant's account counts its orders and balance, and its order list shows them newest first
    When the merchant reads its account through /api/merchant/info
    Then the answer has code 0 and the platform's signature
    When the merchant creates an order of "8.00" through /api/pay/create with method "jump"
    Then the answer has code 0, pay_type "jump" and the platform's signature
    And /api/merchant/info counts 1 more order and a balance "0.00" higher
    When the buyer pays on the hosted page
    Then /api/merchant/info counts 1 more order and a balance "8.00" higher
    And /api/merchant/orders with status 1 lists the order, newest first, with money "8.00"
    When the merchant refunds "3.00" of it through /api/pay/refund
    Then /api/merchant/info counts 1 more order and a balance "5.00" higher
    When the merchant lists its orders through /api/merchant/orders with limit 51
    Then the answer has code -1 and msg "limit 须为1到50"

  Scenario: A transfer is paid out of the balance, once per out_biz_no, and never beyond it
    When the merchant creates an order of "10.00" through /api/pay/create with method "jump"
    Then the answer has code 0, pay_type "jump" and the platform's signature
    When the buyer pays on the hosted page
    And the merchant reads its balance through /api/transfer/balance
    And the merchant transfers "4.00" to the alipay account "payee@example.com" through /api/transfer/submit
    Then the answer has code 0, transfer status 1 and the platform's signature
    And /api/transfer/query reports transfer status 1 in a signed answer
    And /api/transfer/balance shows "4.00" less available
    When the merchant transfers "4.00" again with the same out_biz_no
    Then the answer has code -1 and msg "该交易号已存在，请更换交易号"
    When the merchant transfers "0.01" more than the available balance
    Then the answer has code -1 and msg "需支付金额大于可转账余额"
    And /api/transfer/balance shows "4.00" less available

  Scenario: A transfer kept processing holds its money, and a failed one gives it back
    Given the Epay transfer outcome is "processing"
    When the merchant creates an order of "5.00" through /api/pay/create with method "jump"
    Then the answer has code 0, pay_type "jump" and the platform's signature
    When the buyer pays on the hosted page
    And the merchant reads its balance through /api/transfer/balance
    And the merchant transfers "5.00" to the bank account "6222020000000000000" through /api/transfer/submit
    Then the answer has code 0, transfer status 0 and the platform's signature
    And /api/transfer/query reports transfer status 0 in a signed answer
    And /api/transfer/balance shows "5.00" less available
    When the operator fails the transfer with errmsg "收款账号不存在"
    Then /api/transfer/query reports transfer status 2 in a signed answer, with errmsg "收款账号不存在"
    And /api/transfer/balance shows "0.00" less available
