@provider @stripe
Feature: Stripe sandbox — Checkout Sessions and signed webhooks
  The sandbox answers the Stripe API on its own base URL (default http://127.0.0.1:8101), so Stripe.net
  (apiBase) and stripe-node (host, port, protocol) work unmodified. Requests authenticate with the published
  secret key as a Bearer token; bodies are form-encoded with bracket notation; every answer carries a
  Request-Id header. Webhook events are signed with Stripe-Signature (t=…,v1=hex HMAC-SHA256 of "t.body"
  keyed by the whole whsec_ secret) and delivered to the configured webhook URL.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: A payment-mode session is created open with a hosted page
    When the merchant creates a "payment" checkout session for 3 of "price_HarnessCredits"
    Then the session id starts with "cs_test_"
    And the session has:
      | status         | open   |
      | payment_status | unpaid |
      | amount_total   | 300    |
      | currency       | usd    |
      | livemode       | false  |
    And the session url is the sandbox's hosted pay page

  Scenario: Paying completes the session and sends verifiable events
    Given an open "payment" checkout session with success URL "https://merchant.example/done?session={CHECKOUT_SESSION_ID}"
    When the buyer pays on the hosted page
    Then the buyer is redirected to "https://merchant.example/done?session={session id}"
    And the receiver gets "checkout.session.completed" then "payment_intent.succeeded"
    And every event's Stripe-Signature verifies with the published webhook secret within the SDKs' 300-second tolerance
    And retrieving the session shows status "complete", payment_status "paid" and no url

  Scenario Outline: A SEPA Direct Debit completes the checkout unpaid, and the settled debit is told by an async event
    Given an open euro payment-mode checkout session that offers SEPA Direct Debit
    When the buyer pays by SEPA Direct Debit from "<iban>"
    Then the buyer is redirected to "https://merchant.example/done"
    And retrieving the session shows status "complete", payment_status "unpaid" and no url
    And the receiver gets "checkout.session.completed" then "payment_intent.processing"
    When the sandbox clock advances by 3 minutes
    Then retrieving the session shows status "complete", payment_status "<settled>" and no url
    And the receiver gets "checkout.session.completed", "payment_intent.processing", "<session event>" then "<intent event>"

    Examples:
      | iban                        | settled | session event                             | intent event                  |
      | DE89 3704 0044 0532 0130 00 | paid    | checkout.session.async_payment_succeeded | payment_intent.succeeded      |
      | DE62 3704 0044 0532 0130 01 | unpaid  | checkout.session.async_payment_failed    | payment_intent.payment_failed |

  Scenario: A subscription checkout produces the subscription and invoice events
    Given an open "subscription" checkout session for "price_HarnessProMonthly"
    When the buyer pays on the hosted page
    Then the receiver gets "checkout.session.completed", "customer.subscription.created", "invoice.paid" then "payment_method.attached"
    And the subscription is "active" and the session names it

  Scenario: A PaymentIntent declined by the card is a 402 the intent keeps, and confirming it with another card pays
    When the merchant creates and confirms a PaymentIntent of 1000 "usd" with "pm_card_chargeDeclined"
    Then the answer is 402 with a card_error "card_declined" whose payment_intent is "requires_payment_method"
    When the merchant confirms that PaymentIntent with "pm_card_visa"
    Then the PaymentIntent is "succeeded" with amount_received 1000 and amount_capturable 0
    And the receiver gets "payment_intent.created", "charge.failed", "payment_intent.payment_failed", "charge.succeeded" then "payment_intent.succeeded"
    And every event's Stripe-Signature verifies with the published webhook secret within the SDKs' 300-second tolerance

  Scenario: A PaymentIntent to capture later holds the amount until the merchant captures part of it
    When the merchant creates and confirms a PaymentIntent of 1000 "usd" with "pm_card_visa" to capture later
    Then the PaymentIntent is "requires_capture" with amount_received 0 and amount_capturable 1000
    When the merchant captures 600 of it
    Then the PaymentIntent is "succeeded" with amount_received 600 and amount_capturable 0
    And the receiver gets "payment_intent.created", "charge.succeeded", "payment_intent.amount_capturable_updated", "charge.captured" then "payment_intent.succeeded"

  Scenario: A card that needs 3-D Secure waits for the challenge on the hosted page, which returns the buyer to the merchant
    When the merchant creates and confirms a PaymentIntent of 1000 "eur" with "pm_card_authenticationRequired" and return_url "https://merchant.example/paid"
    Then the PaymentIntent requires action: next_action redirects to the sandbox's hosted page
    When the buyer pays on the hosted page
    Then the buyer returns to "https://merchant.example/paid" with the PaymentIntent, its client_secret and redirect_status "succeeded"
    And the PaymentIntent is "succeeded" with amount_received 1000 and amount_capturable 0

  Scenario: A PaymentIntent held for capture is canceled automatically when not captured within seven days
    When the merchant creates and confirms a PaymentIntent of 1000 "usd" with "pm_card_visa" to capture later
    And the sandbox clock advances by 168 hours
    Then the PaymentIntent was canceled automatically and its held charge released in full
    And capturing it is refused with "payment_intent_unexpected_state"
    And the receiver gets for the PaymentIntent "payment_intent.created, charge.succeeded, payment_intent.amount_capturable_updated, charge.expired, payment_intent.canceled"

  Scenario: A refund to the refund-failure test card reads succeeded, then fails and gives the amount back to the charge
    When the merchant creates and confirms a PaymentIntent of 1000 "usd" with "pm_card_refundFail"
    And the merchant refunds 400 of that PaymentIntent
    Then the answer is a "succeeded" refund of 400
    When the sandbox clock advances by 30 seconds
    Then the refund is "failed" with failure_reason "expired_or_canceled_card" and the charge has 0 refunded
    And the receiver gets for the PaymentIntent's refunds "refund.created, charge.refunded, refund.updated, charge.refund.updated, refund.failed"

  Scenario: A refund to the pending-refund test card is pending, then succeeds
    When the merchant creates and confirms a PaymentIntent of 1000 "usd" with "pm_card_pendingRefund"
    And the merchant refunds 1000 of that PaymentIntent
    Then the answer is a "pending" refund of 1000
    When the sandbox clock advances by 30 seconds
    Then the refund is "succeeded" with failure_reason "none" and the charge has 1000 refunded
    And the receiver gets for the PaymentIntent's refunds "refund.created, charge.refunded, refund.updated, charge.refund.updated"

  Scenario: A card from a test token is saved to a customer, updated and detached, with its webhooks
    When the merchant saves a card made from the test token "tok_mastercard" to a new customer
    And the merchant sets the saved card's billing name to "Ada Lovelace"
    Then the customer's saved cards end in "4444"
    When the merchant detaches the saved card
    Then the customer's saved cards end in "nothing"
    And the receiver gets "payment_method.attached", "payment_method.updated" then "payment_method.detached"

  Scenario: A saved card pays off session for its customer and cannot be saved to another
    When the merchant saves the test card "pm_card_visa" to a new customer
    And the merchant charges the saved card off session for 1500 "usd"
    Then the off-session PaymentIntent succeeded with the saved card
    When the merchant attaches the saved card to another customer
    Then the answer is 400 with code "payment_method_unexpected_state" and the message "The payment method you provided has already been attached to a customer."

  Scenario: A detached card may not be used again
    When the merchant saves the test card "pm_card_visa" to a new customer
    And the merchant detaches the saved card
    And the merchant attaches the saved card to another customer
    Then the answer is 400 with code "payment_method_unexpected_state" and the message "This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again."

  Scenario: The merchant expires an open session
    Given an open "payment" checkout session
    When the merchant expires the session
    Then the session status is "expired"
    And the receiver gets a verifiable "checkout.session.expired" event

  Scenario: Only open sessions can be expired
    Given a checkout session that has been paid
    When the merchant expires the session
    Then the answer is 400 with error type "invalid_request_error"

  Scenario: An unpaid session expires when the clock passes expires_at
    Given an open "payment" checkout session created without expires_at
    And the session expires 24 hours after it was created
    When the sandbox clock advances by 24 hours
    Then the session status is "expired"
    And the receiver gets a verifiable "checkout.session.expired" event

  Scenario: Sessions are listed newest first with cursor paging
    Given 3 checkout sessions created one after another
    When the merchant lists sessions with limit 2
    Then the two newest sessions are returned and has_more is true
    And listing with starting_after the second one returns the oldest

  Scenario: The same Idempotency-Key with the same parameters replays the first answer
    When the merchant creates a session twice with Idempotency-Key "order-7" and the same parameters
    Then both answers are identical
    And the second carries the header "Idempotent-Replayed: true"
    And only one session exists

  Scenario: The same Idempotency-Key with other parameters is refused
    Given a session created with Idempotency-Key "order-7"
    When the merchant creates a session with Idempotency-Key "order-7" and a different quantity
    Then the answer is 400 with error type "idempotency_error"

  Scenario Outline: Bad requests get Stripe's error envelope, never a 500
    When the merchant sends "<request>"
    Then the answer is <status> with error type "invalid_request_error", code "<code>" and param "<param>"

    Examples:
      | request                                                                   | status | code              | param                 |
      | create without mode                                                       | 400    | parameter_missing | mode                  |
      | create with mode "bogus"                                                  | 400    | parameter_invalid | mode                  |
      | create with an unknown parameter "colour"                                 | 400    | parameter_unknown | colour                |
      | create in payment mode without line items                                 | 400    | parameter_missing | line_items            |
      | create with price "price_nope"                                            | 404    | resource_missing  | line_items[0][price]  |
      | create in payment mode with the recurring price "price_HarnessProMonthly" | 400    | parameter_invalid | line_items[0][price]  |
      | retrieve session "cs_test_missing"                                        | 404    | resource_missing  | session               |

  Scenario: Requests without the secret key are refused
    When a request arrives without an Authorization header
    Then the answer is 401 with error type "invalid_request_error"
    And the answer carries a Request-Id header starting with "req_"

  Scenario: A test-mode key and webhook secret of the merchant's own work once registered
    Given the merchant registers a test-mode secret key and a webhook secret of its own
    When an event is sent
    Then every event's Stripe-Signature verifies with the merchant's own webhook secret, not the published one
    And registering a live-mode secret key is refused with a 400

  Scenario: Events carry the api_version the merchant configured
    Given the webhook endpoint's api_version is "2026-01-28.clover"
    When an event is sent
    Then its api_version is "2026-01-28.clover" rather than the default "2026-10-28.endive"

  Scenario: A webhook endpoint registered through the API gets only the events it enabled, signed with its own secret
    Given the merchant registers a webhook endpoint for "checkout.session.completed" through the API
    When the buyer pays on the hosted page
    Then the endpoint gets only "checkout.session.completed", signed with the secret its creation returned
    And the dashboard endpoint gets every event, signed with the published webhook secret
    When the merchant disables the endpoint
    And an event is sent
    Then the endpoint has got nothing more

  Scenario: A webhook is retried three times over three hours in test mode
    Given the receiver answers "checkout.session.completed" with 500 twice and then 200
    When the buyer pays on the hosted page
    And the sandbox clock advances by 1 hour and then by 2 hours
    Then the delivery log shows exactly three attempts, at 0 h, 1 h and 3 h, answered 500, 500 and 200
    And every attempt's Stripe-Signature verifies with a timestamp from the real clock, though the sandbox clock moved 3 hours
