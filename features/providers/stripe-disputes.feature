@provider @stripe
Feature: Stripe sandbox — disputes (chargebacks and inquiries)
  Stripe's dispute test cards (4000 0000 0000 0259 fraudulent, 2685 product_not_received, 1976 an inquiry) and their
  PaymentMethods (pm_card_createDispute, pm_card_createDisputeProductNotReceived, pm_card_createDisputeInquiry) pay, then
  the charge is disputed for its full amount: charge.dispute.created and, for a chargeback, charge.dispute.funds_withdrawn,
  filed under the charge's id. POST /v1/disputes/{id} stages or submits evidence (test mode's uncategorized_text
  winning_evidence wins, losing_evidence loses, other evidence waits under review for the control API's verdict);
  POST /v1/disputes/{id}/close accepts it. A charged-back charge refuses refunds (charge_disputed).

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
