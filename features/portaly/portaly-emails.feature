@portaly @emails
Feature: Portaly email templates and the outbox
  welcome_paid (a completed checkout) and subscription_canceled are on by default and switched per profile with
  PUT /api/creator-email/templates/{type}; an email whose template is off is not written. The outbox lists the key's
  profile's and mode's emails, newest first.

  Scenario: Both templates are on by default, and another type is not found
    Given a new Portaly merchant
    When the merchant requests "GET /api/creator-email/templates"
    Then the Portaly answer has:
      | data.0.enabled | true     |
      | data.1.enabled | true     |
      | data.2         | (absent) |
    When the merchant requests "PUT /api/creator-email/templates/newsletter" with:
      """
      {"enabled": false}
      """
    Then the Portaly call is refused with HTTP 404 and code "TEMPLATE_NOT_FOUND"
    When the merchant requests "PUT /api/creator-email/templates/welcome_paid" with:
      """
      {}
      """
    Then the Portaly call is refused with HTTP 400 and code "VALIDATION_ERROR"

  Scenario: With welcome_paid off a checkout writes no welcome email, and switched on again it does
    Given a new Portaly merchant
    And the merchant has a one-time plan "pack" of 300
    When the merchant requests "PUT /api/creator-email/templates/welcome_paid" with:
      """
      {"enabled": false}
      """
    Then the Portaly answer has:
      | data.type    | welcome_paid |
      | data.enabled | false        |
    When the merchant creates checkout session "s1" for plan "pack"
    And the merchant completes checkout session "s1"
    And the merchant requests "GET /api/creator-email/outbox"
    Then the Portaly answer has:
      | data.0 | (absent) |
    When the merchant requests "PUT /api/creator-email/templates/welcome_paid" with:
      """
      {"enabled": true}
      """
    And the merchant creates checkout session "s2" for plan "pack"
    And the merchant completes checkout session "s2"
    And the merchant requests "GET /api/creator-email/outbox"
    Then the Portaly answer has:
      | data.0.type           | welcome_paid   |
      | data.0.to             | {{email}}      |
      | data.0.subscriptionId | {{session:s2}} |
      | data.1                | (absent)       |
