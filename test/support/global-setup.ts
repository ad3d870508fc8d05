// Placeholder: the moto_server harness is added by the Secrets Manager work.
export default function setup(): void {}
