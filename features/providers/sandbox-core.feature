@provider
Feature: Sandbox core — pay pages, clock, delivery log and fault injection
  Every provider in the sandbox shares one core: a hosted pay page per payment (Pay, Fail, Cancel, expiry),
  callback delivery on the provider's retry schedule with a log of every attempt, a control API
  (documented at /openapi/v1.json) to list payments and deliveries, resend, advance the clock and inject
  faults. Faults are deterministic: a fault with a count fires that many times and then stops.

  Scenario: The control API publishes every provider's base URL and merchant credentials
    When the operator calls GET /control/providers
    Then stripe, creem, epay, wechatpay, alipay and tappay are listed with their base URL and credentials

  Scenario: Fail declines the payment and leaves it open
    Given an open payment
    When the buyer clicks Fail on the hosted page
    Then the page says the card was declined
    And the payment is still open

  Scenario: Cancel returns to the merchant and leaves the payment open
    Given an open Stripe checkout session with a cancel URL
    When the buyer clicks Cancel on the hosted page
    Then the buyer is redirected to the cancel URL
    And the session is still open

  Scenario: An expired payment cannot be paid
    Given an open payment
    When the sandbox clock advances past its expiry
    Then its pay page answers 410 without a Pay button
    And paying it through the control API changes nothing

  Scenario: Paying twice at once settles once
    Given an open Stripe checkout session
    When the buyer pays 5 times at once
    Then exactly one checkout.session.completed delivery exists

  Scenario: A delivery that was never acknowledged can be resent
    Given a delivery whose receiver never answered 2xx until its schedule was exhausted
    When the operator resends it after the receiver recovers
    Then the log shows a fourth attempt with trigger "resend" and the delivery is "delivered"

  Scenario: An unreachable receiver is logged as an error
    Given the webhook URL points at a closed port
    When a callback is due
    Then the attempt has no response status, an error message and is not acknowledged

  Scenario Outline: Each fault is observed by the merchant
    Given the fault "<kind>" <scope>
    When the buyer pays
    Then the merchant observes <effect>

    Examples:
      | kind               | scope                           | effect                                                                                          |
      | server_error       | for the next 2 Stripe API calls | a client retrying with the same Idempotency-Key, as Stripe.net does, succeeds on the third call |
      | latency            | of 30 seconds on one session    | the API answer arrives only after the sandbox clock moves 30 seconds                            |
      | duplicate          | once for Epay                   | the same notify, byte for byte, twice                                                           |
      | out_of_order       | on one subscription checkout    | "payment_method.attached" before "invoice.paid" before "customer.subscription.created" before "checkout.session.completed" |
      | delayed            | of 120 seconds for Epay         | nothing until the clock moves 120 seconds, then the notify                                      |
      | tampered_signature | once for Stripe                 | a Stripe-Signature that does not verify                                                         |
      | stale_timestamp    | of 600 seconds once for Stripe  | a correct signature whose t is 10 minutes old, outside the 300-second tolerance                 |
      | wrong_amount       | on one Epay order               | money off by 0.01 under a valid MD5 sign                                                        |
      | tampered_signature | once for WeChatPay              | a Wechatpay-Signature starting "WECHATPAY/SIGNTEST/", like WeChat's signature probes, that does not verify |
      | wrong_amount       | once for WeChatPay              | a notification that verifies but whose decrypted amount.total is one fen more than the order's  |
      | dropped            | once for WeChatPay              | no notification, a delivery logged as "dropped", and the notification once the operator resends it |

  Scenario: A fault scoped to another payment does not fire
    Given the fault "tampered_signature" for payment "someone-else"
    When the buyer pays an Epay order
    Then the notify's sign is valid

  Scenario: State survives a restart
    Given a checkout session created in a sandbox using a data folder
    When the sandbox is restarted on the same folder
    Then the session can still be retrieved
