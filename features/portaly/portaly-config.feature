@portaly
Feature: Portaly merchant config
  GET /config answers the profile's config; PUT /config is partial: a field left out keeps its value, "" clears it.
  appBaseUrl must start https:// (a trailing slash is removed), merchantLogo is an absolute http(s) URL,
  inviteRedirectPath starts with "/" and holds only letters, digits, "-", "_" and "/".

  Scenario: A new merchant's config is empty until its first update
    Given a new Portaly merchant
    When the merchant requests "GET /config"
    Then the Portaly answer has:
      | data.profileId    | {{profileId}} |
      | data.merchantName | null          |
      | data.appBaseUrl   | null          |

  Scenario: An update is partial, an empty string clears a field, and appBaseUrl loses its trailing slash
    Given a Portaly merchant
    When the merchant requests "PUT /config" with:
      """
      {"merchantName": "Shop {{run}}", "appBaseUrl": "https://shop.example.com/", "brandDescription": "Tea"}
      """
    Then the Portaly answer has:
      | data.merchantName | Shop {{run}}             |
      | data.appBaseUrl   | https://shop.example.com |
    When the merchant requests "PUT /config" with:
      """
      {"brandDescription": ""}
      """
    And the merchant requests "GET /config"
    Then the Portaly answer has:
      | data.merchantName     | Shop {{run}}             |
      | data.appBaseUrl       | https://shop.example.com |
      | data.brandDescription | null                     |

  Scenario Outline: An invalid config field is refused
    Given a Portaly merchant
    When the merchant requests "PUT /config" with:
      """
      {"<field>": "<value>"}
      """
    Then the Portaly call is refused as invalid, naming "<field>"

    Examples:
      | field              | value                    |
      | appBaseUrl         | http://shop.example.com  |
      | merchantLogo       | logo.png                 |
      | inviteRedirectPath | invite                   |
      | inviteRedirectPath | /invite?x=1              |
