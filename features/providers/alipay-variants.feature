@provider @alipay
Feature: Alipay sandbox — AES content encryption, the RSA sign type and certificate rotation
  An app may encrypt its content (接口内容加密): with encrypt_type=AES, biz_content is AES-128-CBC under the app's
  published encrypt_key (zero IV, PKCS#7, base64) and the request is signed over that cipher text; the answer's
  <method>_response is then the cipher text of the JSON object, a string, and its sign covers that string with its
  quotes. An app may sign with the legacy sign_type RSA (RSA-SHA1) instead of RSA2: its requests, answers and
  notifies are all RSA. Alipay rotates its public-key certificate: certificate-mode answers then name a new
  alipay_cert_sn, which the merchant downloads with alipay.open.app.alipaycert.download (base64 of the PEM text)
  and trusts once it chains to the root.

  Background:
    Given the Alipay sandbox and app_id "2021000000000001" with the published keys

  Scenario: Encrypted content is answered encrypted, signed over the cipher text
    When the merchant precreates a trade of "66.60" with its content encrypted
    Then Alipay answers encrypted with code "10000", signed over the cipher text
    And the decrypted answer has the trade's out_trade_no and a qr_code

  Scenario: An app that requires encryption refuses plain content, and content that does not decrypt is refused
    Given the merchant's Alipay app requires content encryption
    When the merchant precreates a trade of "66.60"
    Then Alipay answers code "40001" and sub_code "isv.missing-encrypt-type"
    When the merchant sends encrypted content that does not decrypt
    Then Alipay answers code "40002" and sub_code "isv.decryption-error-unknown"

  Scenario: An app signing with RSA-SHA1 is answered and notified in RSA
    Given the merchant's Alipay app signs with sign_type "RSA"
    And a precreated trade of "88.88" that the buyer has scanned
    When the buyer pays on the hosted page
    Then the notify URL receives a form POST with trade_status "TRADE_SUCCESS", total_amount "88.88" and a valid RSA sign
    And alipay.trade.query reports trade_status "TRADE_SUCCESS"

  Scenario: After Alipay rotates its certificate the merchant downloads the one an answer names and checks it against the root
    When the merchant precreates a trade of "88.88" in certificate mode
    Then the answer names the published Alipay certificate in alipay_cert_sn, and that certificate's key verifies its sign
    When Alipay rotates its public-key certificate
    And the merchant queries the trade in certificate mode
    Then the answer names an Alipay certificate the merchant does not have, and the old certificate's key does not verify it
    When the merchant downloads that certificate with alipay.open.app.alipaycert.download
    Then the certificate chains to the published root, has that SN, and its key verifies the answer
    And the previous certificate can still be downloaded
