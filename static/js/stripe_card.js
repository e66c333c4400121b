// The hosted card page under Stripe: a Stripe Elements card field, confirmed against
// the SetupIntent the server created; only the SetupIntent's id is posted back.
(function () {
  "use strict";
  const form = document.getElementById("stripe-card-form");
  if (!form || typeof window.Stripe !== "function") return;
  const stripe = window.Stripe(form.dataset.publishableKey);
  const card = stripe.elements().create("card", { hidePostalCode: false });
  card.mount("#stripe-card");
  const error = document.getElementById("stripe-card-error");
  const button = form.querySelector("button[type=submit]");
  card.on("change", (event) => {
    error.hidden = !event.error;
    error.textContent = event.error ? event.error.message : "";
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    const result = await stripe.confirmCardSetup(form.dataset.clientSecret, {
      payment_method: {
        card: card,
        billing_details: { name: form.dataset.holderName, email: form.dataset.holderEmail },
      },
    });
    if (result.error) {
      error.textContent = result.error.message;
      error.hidden = false;
      button.disabled = false;
      return;
    }
    form.elements.setup_intent.value = result.setupIntent.id;
    form.submit();
  });
})();
