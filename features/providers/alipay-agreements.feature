@provider @alipay
Feature: Alipay sandbox — 周期扣款 (recurring deductions under a signed agreement)
  A subscription business has the buyer sign a 周期扣款 agreement (alipay.user.agreement.page.sign, product
  CYCLE_PAY_AUTH_P: a period, a first deduction date and the most one deduction may take) on Alipay's sign page, then
  charges each renewal without the buyer: alipay.trade.pay with product_code GENERAL_WITHHOLDING and the agreement's
  agreement_no, paid as the call answers. Signing and unsigning are notified (dut_user_sign, dut_user_unsign), signed
  like trade notifies. The sandbox's control API plays the buyer's side: a balance that refuses the next deduction.
  The buyer may also sign with the first payment (支付并签约: agreement_sign_params on the cashier trade), and a
  商家扣款 agreement can be moved to a 周期扣款 rule (alipay.user.agreement.transfer).

  Background:
    Given the Alipay sandbox and app_id "2021000000000001" with the published keys

  Scenario: The buyer signs on the sign page, and the signed agreement is notified and queried
    When the merchant sends the browser to alipay.user.agreement.page.sign for a weekly agreement of at most "30.00" from today
    And the buyer signs on the Alipay sign page
    Then the notify URL receives a dut_user_sign form POST with status "NORMAL" and a valid RSA2 sign
    And alipay.user.agreement.query reports the agreement "NORMAL" with its next deduction 0 days after the first

  Scenario: A deduction under the agreement pays at once, and one over the agreed amount is refused
    Given a signed weekly Alipay agreement of at most "30.00" from today
    When the merchant deducts "25.00" under the agreement
    Then Alipay answers code "10000"
    And the notify URL receives a form POST with trade_status "TRADE_SUCCESS", total_amount "25.00" and a valid RSA2 sign
    And alipay.user.agreement.query reports the agreement "NORMAL" with its next deduction 7 days after the first
    When the merchant deducts "30.01" under the agreement
    Then Alipay answers code "40004" and sub_code "ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED"

  Scenario: A buyer whose balance is short is refused, and an unsigned agreement deducts nothing more
    Given a signed weekly Alipay agreement of at most "30.00" from today
    And the buyer's balance will not cover the next deduction
    When the merchant deducts "25.00" under the agreement
    Then Alipay answers code "40004" and sub_code "ACQ.BUYER_BALANCE_NOT_ENOUGH"
    When the merchant unsigns the agreement
    Then Alipay answers code "10000"
    And the notify URL receives a dut_user_unsign form POST with status "UNSIGN" and a valid RSA2 sign
    When the merchant deducts "25.00" under the agreement
    Then Alipay answers code "40004" and sub_code "ACQ.AGREEMENT_NOT_EXIST"

  Scenario: The buyer pays the first trade on the cashier and signs the agreement with it, 支付并签约
    When the merchant's page sends the browser to alipay.trade.page.pay for "30.00" signing a weekly agreement of at most "30.00" from today
    Then the browser is redirected to the Alipay cashier on the hosted pay page
    When the buyer pays on the hosted page
    Then the notify URL receives the trade's "TRADE_SUCCESS" notify and a dut_user_sign for the payer, both with a valid RSA2 sign
    And alipay.user.agreement.query reports the agreement "NORMAL" with its next deduction 0 days after the first

  Scenario: alipay.user.agreement.transfer moves a 商家扣款 agreement to a 周期扣款 rule that deductions keep to
    Given a signed Alipay 商家扣款 agreement
    When the merchant transfers the agreement to a weekly 周期扣款 rule of at most "20.00" from today
    Then Alipay answers code "10000"
    And the answer gives the rule: period_type "DAY", period "7", amount "20.00"
    And alipay.user.agreement.query reports the agreement "NORMAL" with its next deduction 0 days after the first
    When the merchant deducts "20.01" under the agreement
    Then Alipay answers code "40004" and sub_code "ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED"
    When the merchant deducts "20.00" under the agreement
    Then Alipay answers code "10000"
