@provider @tappay
Feature: TapPay sandbox — Direct Pay back end with test primes, card tokens, card binding, records, refunds and 3-D Secure
  The sandbox answers TapPay's back-end API on its own base URL (default http://127.0.0.1:8106). tappay-nodejs
  (2.0.11) works unmodified once an interceptor on the axios it resolves sets the base URL. Every call is a JSON
  POST with x-api-key equal to the partner_key, which also travels in the body; every answer is HTTP 200 with
  status (0 = success) and msg. The front end's getPrime is simulated by POST /sandbox/get-prime with the
  published app_id and app_key. 3-D Secure and the e-payments (LINE Pay, JKOPAY, Easy Wallet, Atome, Pi Wallet)
  send the buyer to the hosted page first; their backend notify is unsigned and retried until a 200.

  Background:
    Given the TapPay sandbox

  Scenario: The test prime pays and answers TapPay's fields
    When the merchant pays 1500 with the test prime and order number "ORDER-1"
    Then the answer is HTTP 200 with status 0 and msg "Success"
    And the answer has a rec_trade_id, bank_transaction_id, auth_code, card_info, transaction_time_millis and bank_transaction_time
    And the answer has amount 1500, currency "TWD" and order number "ORDER-1"
    And the answer has no card_secret

  Scenario Outline: Each test card gives its status, message and bank result
    Given a prime for the card "<card>"
    When the merchant pays 100 with that prime
    Then the answer is HTTP 200 with status <status> and msg "<msg>"
    And the bank result code is "<bank>"
    And the record query shows the trade with record_status <record>

    Examples:
      | card             | status | msg             | bank | record |
      | 4242424242424242 | 0      | Success         |      | 1      |
      | 4000000000000002 | 10003  | Card Error      | 05   | -1     |
      | 4000000000009995 | 10003  | Card Error      | 51   | -1     |
      | 4000000000000069 | 10003  | Card Error      | 54   | -1     |
      | 4000000000003220 | 10003  | Card Error      | 1A   | -1     |
      | 4000000000000119 | 421    | Gateway Timeout |      | -1     |

  Scenario: A prime is single use and expires after 90 seconds
    Given a prime for the card "4242424242424242"
    When the merchant pays 100 with that prime
    And the merchant pays 100 with that prime
    Then the answer is HTTP 200 with status 121 and msg "Invalid arguments : prime"
    Given a prime for the card "4242424242424242"
    When the sandbox clock advances by 90 seconds
    And the merchant pays 100 with that prime
    Then the answer is HTTP 200 with status 91 and msg "Prime is expired"

  Scenario Outline: The partner key, merchant and merchant group are checked with TapPay's codes
    When the merchant pays with the test prime, <change>
    Then the answer is HTTP 200 with status <status>

    Examples:
      | change                                                   | status |
      | without the x-api-key header                             | 80     |
      | with another x-api-key                                   | 80     |
      | without partner_key in the body                          | 506    |
      | with an unknown partner_key                              | 81     |
      | without merchant_id                                      | 502    |
      | with an unknown merchant_id                              | 61     |
      | with the merchant group instead of merchant_id           | 0      |
      | with an unknown merchant_group_id instead of merchant_id | 61     |

  Scenario: A partner key and merchant id of the merchant's own work once registered
    Given the merchant registers a partner key and a merchant id of its own
    When the merchant pays 700 with the test prime under its own partner key and merchant id
    Then the answer is HTTP 200 with status 0
    And the record query by merchant_id finds that trade under the merchant's own id

  Scenario Outline: Missing and invalid fields get their status codes
    When the merchant pays with the test prime and the body field "<field>" set to <json>
    Then the answer is HTTP 200 with status <status>

    Examples:
      | field                   | json       | status |
      | cardholder              | absent     | 501    |
      | prime                   | absent     | 503    |
      | currency                | ""         | 504    |
      | details                 | absent     | 505    |
      | cardholder.phone_number | absent     | 507    |
      | cardholder.name         | ""         | 508    |
      | cardholder.email        | absent     | 509    |
      | amount                  | 0          | 510    |
      | amount                  | 12.5       | 510    |
      | amount                  | "100"      | 510    |
      | currency                | "XYZ"      | 89     |
      | instalment              | 5          | 121    |
      | instalment              | "3"        | 121    |
      | body                    | not JSON   | 5      |

  Scenario: A card charge split into instalments answers and records the split
    When the merchant pays 1000 in 12 instalments with the test prime
    Then the answer is HTTP 200 with status 0 and msg "Success"
    And the answer splits the charge into 12 payments, the first 87 and each after 83
    And the record query shows the trade paid by instalment with the same split

  Scenario: A remembered card renews by card token, and a mismatched token is refused
    Given a prime for the card "5555555555554444"
    When the merchant pays 990 with that prime and remember true
    Then the answer has a card_secret with card_key and card_token
    When the merchant pays 990 by card token
    Then the answer is HTTP 200 with status 0 and msg "Success"
    And the renewal charged the same card under a new rec_trade_id
    When the merchant pays 990 by card token with another card_token
    Then the answer is HTTP 200 with status 121
    # Pay by Prime defaults the currency to TWD; Pay by Card Token requires it (providers.md §7.3).
    When the merchant pays 990 by card token without a currency
    Then the answer is HTTP 200 with status 504

  Scenario: A card bound without a charge pays by card token until it is removed
    Given a prime for the card "5555555555554444"
    When the merchant binds the card of that prime
    Then the answer is HTTP 200 with status 0 and msg "Success"
    And the answer has a card_secret with card_key and card_token
    And the binding left no trade in the record query
    When the merchant pays 450 by card token
    Then the answer is HTTP 200 with status 0 and msg "Success"
    When the merchant removes the remembered card
    Then the answer is HTTP 200 with status 0 and msg "Success"
    When the merchant pays 450 by card token
    Then the answer is HTTP 200 with status 121
    When the merchant removes the remembered card
    Then the answer is HTTP 200 with status 121

  Scenario: A card the bank declines is not bound
    Given a prime for the card "4000000000000002"
    When the merchant binds the card of that prime
    Then the answer is HTTP 200 with status 10003 and msg "Card Error"
    And the binding has bank result code "05" and no card_secret

  Scenario: Partial and full refunds show in the record query and the trade history
    When the merchant pays 1000 with the test prime and order number "REFUND-1"
    And the merchant refunds 300 of it
    Then the answer is HTTP 200 with status 0 and msg "Success"
    And the record query shows the trade with record_status 2, refunded_amount 300 and amount 700
    When the merchant refunds 701 of it
    Then the answer is HTTP 200 with status 510
    When the merchant refunds the rest of it
    Then the record query shows the trade with record_status 3, refunded_amount 1000 and amount 0
    And the trade history lists "auth, capture, refund, refund"

  Scenario: The record query filters by order number and pages, with status 2 past the end
    When the merchant pays 100 with the test prime and order number "PAGE-1"
    And the merchant pays 200 with the test prime and order number "PAGE-2"
    And the merchant pays 300 with the test prime and order number "PAGE-3"
    Then querying order number "PAGE-2" finds one record of amount 200
    And querying 2 records per page from page 0 ordered by amount ascending finds at least 2 records
    And querying page 100000 answers status 2 with no records

  Scenario: 3-D Secure pays on the hosted page, redirects to frontend_redirect_url and notifies the backend
    Given a prime for the card "4000000000003220"
    When the merchant pays 2500 with that prime through 3-D Secure with order number "3DS-1"
    Then the answer is HTTP 200 with status 0 and msg "Success"
    And the answer's payment_url is the sandbox's hosted pay page for its rec_trade_id
    And the record query shows the trade with record_status 4
    When the buyer pays on the hosted page
    Then the buyer is redirected to the frontend_redirect_url with rec_trade_id, order_number "3DS-1", bank_transaction_id and status 0
    And the receiver gets an unsigned JSON notify with status 0, amount 2500 and order number "3DS-1"
    And the record query shows the trade with record_status 1

  Scenario: An e-payment waits for the buyer to approve in the wallet, then redirects and notifies the backend
    When the merchant pays 880 with the "LINE Pay" test prime and result URLs, with order number "WALLET-1"
    Then the answer is HTTP 200 with status 0 and msg "Success"
    And the answer's payment_url is the sandbox's hosted pay page for its rec_trade_id
    And the record query shows the trade with record_status 4
    When the buyer pays on the hosted page
    Then the buyer is redirected to the frontend_redirect_url with rec_trade_id, order_number "WALLET-1", bank_transaction_id and status 0
    And the receiver gets an unsigned JSON notify with status 0, amount 880 and order number "WALLET-1"
    And the notify's pay_info names the method "CREDIT_CARD", the masked card "************4242" and 0 points
    And the record query shows the trade with record_status 1

  Scenario Outline: An e-payment without its result URLs is refused with 121
    When the merchant pays 100 with the "<wallet>" test prime and no result URLs
    Then the answer is HTTP 200 with status 121

    Examples:
      | wallet      |
      | LINE Pay    |
      | JKOPAY      |
      | Easy Wallet |
      | Atome       |
      | Pi Wallet   |

  Scenario: A refund and a capture not yet sent to the bank are canceled, and the record and trade history show it
    When the merchant pays 1000 with the test prime and order number "CANCEL-1"
    And the merchant refunds 300 of it
    And the merchant cancels that refund
    Then the answer is HTTP 200 with status 0 and msg "Success"
    And the refund cancel names the refund and its amount 300
    And the record query shows the trade with record_status 1, refunded_amount 0 and amount 1000
    When the merchant cancels that refund
    Then the answer is HTTP 200 with status 121
    When the merchant cancels the capture
    Then the answer is HTTP 200 with status 0 and msg "Success"
    And the record query shows the trade with record_status 0, refunded_amount 0 and amount 1000
    When the merchant cancels the capture
    Then the answer is HTTP 200 with status 121
    And the trade history lists "auth, capture, refund, refund_cancel, cap_cancel"
