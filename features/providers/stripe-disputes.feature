@provider @stripe
Feature: Stripe sandbox — disputes (chargebacks and inquiries) and early fraud warnings
  Stripe's dispute test cards (4000 0000 0000 0259 fraudulent, 2685 product_not_received, 1976 an inquiry) and their
  PaymentMethods (pm_card_createDispute, pm_card_createDisputeProductNotReceived, pm_card_createDisputeInquiry) pay, then
  the charge is disputed for its full amount: charge.dispute.created and, for a chargeback, charge.dispute.funds_withdrawn,
  filed under the charge's id. POST /v1/disputes/{id} stages or submits evidence (test mode's uncategorized_text
  winning_evidence wins, losing_evidence loses, other evidence waits under review for the control API's verdict);
  POST /v1/disputes/{id}/close accepts it. A charged-back charge refuses refunds (charge_disputed). A dispute left
  unanswered when its evidence_details.due_by passes on the sandbox clock is conceded (a chargeback lost, an inquiry
  warning_closed); evidence staged by then is submitted. pm_card_createMultipleDisputes (4000 0004 0400 0079) draws two
  chargebacks on its charge. A saved dispute card disputes every invoice charge it pays, renewals included.
  pm_card_createIssuerFraudRecord (4000 0000 0000 5423) draws a Radar early fraud warning
  (radar.early_fraud_warning.created) instead of a dispute; a full refund or a dispute makes it not actionable.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: A dispute card typed on the hosted page pays, then opens a chargeback that refuses refunds
    Given an open "payment" checkout session
    When the buyer pays on the hosted page with the card "4000 0000 0000 0259"
    Then the payment's charge is disputed as "fraudulent" with status "needs_response"
    And the receiver gets for the dispute "charge.dispute.created, charge.dispute.funds_withdrawn"
    And refunding the disputed charge is refused with "charge_disputed"

  Scenario: Test mode's winning evidence wins the dispute and reinstates its funds
    When the merchant creates and confirms a PaymentIntent of 2500 "usd" with "pm_card_createDispute"
    And the merchant submits the evidence "winning_evidence" for the dispute
    Then the dispute is "won"
    And the receiver gets for the dispute "charge.dispute.created, charge.dispute.funds_withdrawn, charge.dispute.updated, charge.dispute.closed, charge.dispute.funds_reinstated"

  Scenario: An inquiry is closed by accepting it
    When the merchant creates and confirms a PaymentIntent of 2500 "usd" with "pm_card_createDisputeInquiry"
    Then the payment's charge is disputed as "fraudulent" with status "warning_needs_response"
    When the merchant closes the dispute
    Then the dispute is "warning_closed"
    And the receiver gets for the dispute "charge.dispute.created, charge.dispute.closed"

  Scenario: The control API disputes a charge paid without a card and decides it after other evidence
    Given a checkout session that has been paid
    When the control API opens a "product_not_received" dispute on the payment's charge
    And the merchant submits the evidence "Tracking 1Z999: delivered and signed for" for the dispute
    Then the dispute is "under_review"
    When the control API resolves the dispute as "lost"
    Then the dispute is "lost"
    And the receiver gets for the dispute "charge.dispute.created, charge.dispute.funds_withdrawn, charge.dispute.updated, charge.dispute.closed"

  # Eight days pass on the sandbox's clock: these scenarios run on a sandbox of their own in-process.
  @moves-sandbox-clock
  Scenario: An unanswered chargeback is lost when its deadline passes
    When the merchant creates and confirms a PaymentIntent of 2500 "usd" with "pm_card_createDispute"
    And the dispute's deadline passes
    Then the dispute is "lost"
    And the receiver gets for the dispute "charge.dispute.created, charge.dispute.funds_withdrawn, charge.dispute.closed"

  @moves-sandbox-clock
  Scenario: Evidence staged by the deadline is submitted when it passes
    When the merchant creates and confirms a PaymentIntent of 2500 "usd" with "pm_card_createDisputeInquiry"
    And the merchant stages the evidence "winning_evidence" for the dispute
    And the dispute's deadline passes
    Then the dispute is "warning_closed"
    And the receiver gets for the dispute "charge.dispute.created, charge.dispute.updated, charge.dispute.updated, charge.dispute.closed"

  Scenario: The multiple-disputes card draws two chargebacks on its charge
    When the merchant creates and confirms a PaymentIntent of 2500 "usd" with "pm_card_createMultipleDisputes"
    Then the payment's charge has 2 disputes with status "needs_response"

  Scenario: The early fraud warning card draws a warning that a full refund makes not actionable
    When the merchant creates and confirms a PaymentIntent of 2500 "usd" with "pm_card_createIssuerFraudRecord"
    Then the payment's charge has an early fraud warning, actionable "true"
    When the merchant refunds 2500 of that PaymentIntent
    Then the payment's charge has an early fraud warning, actionable "false"
    And the receiver gets for the warning "radar.early_fraud_warning.created, radar.early_fraud_warning.updated"

  Scenario: A saved dispute card draws a dispute on each invoice's charge, renewals included
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_createDispute" as its default card
    And the customer subscribes to "price_HarnessProMonthly" through the API
    When the test clock is advanced by 31 days, 1 time
    Then each of the customer's 2 charges is disputed as "fraudulent"
