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
