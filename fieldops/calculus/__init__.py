"""The xarray operators: diff, grad, div, curl, laplacian, hessian, jacobian and
what is built on them (derived tensors, critical points, diffusion)."""
